locals {
  # The Azure RBAC actions of the provider's narrow client, by the resource they are granted on. This is
  # shared/providers/azure/network-api.ts AZURE_ACTIONS_BY_CALL grouped by scope; a test keeps the two equal.
  role_actions = {
    nic          = ["Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write"]
    subnet       = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    publicIp     = ["Microsoft.Network/publicIPAddresses/join/action"]
    routeTable   = ["Microsoft.Network/routeTables/routes/read", "Microsoft.Network/routeTables/routes/write"]
    subscription = ["Microsoft.Network/locations/operations/read", "Microsoft.Network/locations/operationResults/read"]
  }

  # Every scope a role is assigned on: the member NICs, the subnet, the public IP, the route tables, and the
  # subscription for the operation-status reads only.
  role_scopes = merge(
    { for name, m in var.members : "nic-${name}" => { kind = "nic", scope = m.nic_id } },
    var.subnet_id == null ? {} : { "subnet" = { kind = "subnet", scope = var.subnet_id } },
    var.public_ip_id == null ? {} : { "public-ip" = { kind = "publicIp", scope = var.public_ip_id } },
    { for i, id in var.route_table_ids : "route-table-${i}" => { kind = "routeTable", scope = id } },
    { "subscription" = { kind = "subscription", scope = "/subscriptions/${var.subscription_id}" } },
  )
  role_kinds = toset([for s in values(local.role_scopes) : s.kind])

  # One Key Vault secret per member key: mirror-vip-<key id> (Key Vault names allow letters, digits and -).
  key_secrets = merge([
    for member, m in var.members : {
      for k in m.key_ids : k => {
        secret  = "${var.name_prefix}-${replace(lower(k), "/[^a-z0-9-]/", "-")}"
        setting = "MIRROR_VIP_KEY_${upper(replace(k, "/[^A-Za-z0-9]/", "_"))}"
      }
    }
  ]...)

}
