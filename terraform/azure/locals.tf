locals {
  # The configuration document, and this module's mirror in it: NICs, VMs, the public IP, the route tables and the
  # keys all come from it, so the roles are scoped to exactly what the function will write (nothing to keep in step).
  config = jsondecode(file(var.config_file))
  mirror = one([for m in local.config.mirrors : m if m.name == var.mirror_name])
  rg     = local.mirror.resourceGroup
  sub    = local.mirror.subscriptionId
  arm    = "/subscriptions/${local.sub}/resourceGroups"

  members = {
    for mem in local.mirror.members : mem.name => {
      nic_id = "${local.arm}/${try(mem.resourceGroup, local.rg)}/providers/Microsoft.Network/networkInterfaces/${mem.nic}"
      vm_id  = try("${local.arm}/${try(mem.resourceGroup, local.rg)}/providers/Microsoft.Compute/virtualMachines/${mem.vm}", null)
    }
  }
  ip_config_vips = [for v in local.mirror.vips : v if v.mode == "ip-config"]
  public_ip_ids = distinct([
    for v in local.ip_config_vips : "${local.arm}/${try(v.publicIp.resourceGroup, local.rg)}/providers/Microsoft.Network/publicIPAddresses/${v.publicIp.name}" if try(v.publicIp.name, null) != null
  ])
  route_table_ids = distinct(flatten([
    for v in local.mirror.vips : [
      for t in v.routeTables : "${local.arm}/${try(t.resourceGroup, local.rg)}/providers/Microsoft.Network/routeTables/${t.name}"
    ] if v.mode == "route"
  ]))

  # The Azure RBAC actions of the provider's narrow client, by the resource they are granted on. This is
  # shared/providers/azure/network-api.ts AZURE_ACTIONS_BY_CALL grouped by scope; a test keeps the two equal.
  role_actions = {
    nic          = ["Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write"]
    subnet       = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    publicIp     = ["Microsoft.Network/publicIPAddresses/join/action"]
    nsg          = ["Microsoft.Network/networkSecurityGroups/join/action"]
    asg          = ["Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action"]
    lbPool       = ["Microsoft.Network/loadBalancers/backendAddressPools/join/action"]
    routeTable   = ["Microsoft.Network/routeTables/routes/read", "Microsoft.Network/routeTables/routes/write"]
    subscription = ["Microsoft.Network/locations/operations/read", "Microsoft.Network/locations/operationResults/read"]
  }

  # Every scope a role is assigned on: the member NICs, what a NIC PUT links (subnet, public IP, the NICs' NSG, ASGs
  # and backend pools: ip-config mode only), the route tables, and the subscription for the operation-status reads.
  role_scopes = merge(
    { for name, m in local.members : "nic-${name}" => { kind = "nic", scope = m.nic_id } },
    var.subnet_id == null ? {} : { "subnet" = { kind = "subnet", scope = var.subnet_id } },
    { for i, id in local.public_ip_ids : "public-ip-${i}" => { kind = "publicIp", scope = id } },
    { for i, id in var.nsg_ids : "nsg-${i}" => { kind = "nsg", scope = id } },
    { for i, id in var.asg_ids : "asg-${i}" => { kind = "asg", scope = id } },
    { for i, id in var.lb_backend_pool_ids : "lb-pool-${i}" => { kind = "lbPool", scope = id } },
    { for i, id in local.route_table_ids : "route-table-${i}" => { kind = "routeTable", scope = id } },
    { "subscription" = { kind = "subscription", scope = "/subscriptions/${local.sub}" } },
  )
  role_kinds = toset([for s in values(local.role_scopes) : s.kind])
  # custom roles are assignable at management groups, subscriptions or resource groups, never a resource: each role
  # is assignable in the resource groups of its assignments (the subscription for the status reads)
  role_assignable_scopes = {
    for kind in local.role_kinds : kind => distinct([
      for s in values(local.role_scopes) : (kind == "subscription" ? s.scope : regex("^/subscriptions/[^/]+/resourceGroups/[^/]+", s.scope)) if s.kind == kind
    ])
  }

  # One Key Vault secret per member key and per operator key: the app setting its env: reference names holds a Key
  # Vault reference (@Microsoft.KeyVault(SecretUri=…)) that the platform resolves, so an apply never drops it.
  key_secrets = merge(
    {
      for k in local.mirror.keys : k.id => {
        secret  = "${var.name_prefix}-${replace(lower(k.id), "/[^a-z0-9-]/", "-")}"
        setting = trimprefix(k.secret, "env:")
        env     = startswith(k.secret, "env:")
      }
    },
    {
      for k in try(local.config.operatorKeys, []) : k.id => {
        secret  = "${var.name_prefix}-operator-${replace(lower(k.id), "/[^a-z0-9-]/", "-")}"
        setting = trimprefix(k.secret, "env:")
        env     = startswith(k.secret, "env:")
      }
    },
  )
  non_env_keys = [for id, k in local.key_secrets : id if !k.env]
}
