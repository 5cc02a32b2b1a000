locals {
  config = jsondecode(var.mirror_vip_config)

  # keys whose secret this module creates in the Vault (their config reference is "oci-vault:terraform"): the
  # members' keys, and the operator keys (mirror-vip inspect|reconcile|pause|resume), which an `env:` reference
  # would lose at the next apply (this module writes the function's whole configuration)
  vault_keys = merge(
    {
      for k in flatten([
        for m in local.config.mirrors : [
          for key in m.keys : { mirror = m.name, id = key.id, member = key.member } if key.secret == "oci-vault:terraform"
        ]
      ]) : k.id => merge(k, { secret_name = "${var.name}-${k.mirror}-${k.id}" })
    },
    {
      for key in try(local.config.operatorKeys, []) : key.id => {
        mirror = "operator", id = key.id, member = "operator", secret_name = "${var.name}-operator-${key.id}"
      } if key.secret == "oci-vault:terraform"
    },
  )

  # every secret reference of the document: an env: one names a function config entry nobody sets (refused at plan)
  secret_refs = concat(
    flatten([for m in local.config.mirrors : [for key in m.keys : { id = key.id, secret = key.secret }]]),
    [for key in try(local.config.operatorKeys, []) : { id = key.id, secret = key.secret }],
  )
  env_refs = [for r in local.secret_refs : r.id if startswith(r.secret, "env:")]

  # one pause secret per mirror, only when operator keys can send pause / resume
  has_operators = length(try(local.config.operatorKeys, [])) > 0
  pause_mirrors = local.has_operators ? toset([for m in local.config.mirrors : m.name]) : toset([])

  # members whose instance an alarm watches (instanceId set in the configuration)
  watched = {
    for x in flatten([
      for m in local.config.mirrors : [
        for mem in m.members : { mirror = m.name, member = mem.name, instance = mem.instanceId } if try(mem.instanceId, null) != null
      ]
    ]) : "${x.mirror}-${x.member}" => x
  }

  modes = toset(flatten([for m in local.config.mirrors : [for v in m.vips : v.mode]]))

  dynamic_group = "${var.name}-function"

  # shared/providers/oci/vcn-api.ts OCI_CALLS: each operation, the VIP modes that make it and every "<verb>
  # <resource-type>" it needs (OCI policy reference, Details for the Core Services). A test keeps the two equal.
  oci_calls = {
    GetPrivateIp     = { modes = ["private-ip"], needs = ["read private-ips"] }
    ListPrivateIps   = { modes = ["private-ip"], needs = ["read private-ips"] }
    UpdatePrivateIp  = { modes = ["private-ip"], needs = ["use private-ips", "use vnics"] }
    GetVnic          = { modes = ["route"], needs = ["read vnics"] }
    GetPublicIp      = { modes = ["private-ip"], needs = ["read public-ips"] }
    ListPublicIps    = { modes = ["private-ip"], needs = ["read public-ips"] }
    UpdatePublicIp   = { modes = ["private-ip"], needs = ["manage public-ips", "use private-ips"] }
    GetRouteTable    = { modes = ["route"], needs = ["read route-tables"] }
    ListRouteTables  = { modes = ["route"], needs = ["inspect route-tables"] }
    UpdateRouteTable = { modes = ["route"], needs = ["manage route-tables", "manage private-ips"] }
  }
  used_ops = sort([for op, c in local.oci_calls : op if length(setintersection(c.modes, local.modes)) > 0])
  grants   = sort(distinct(flatten([for op in local.used_ops : local.oci_calls[op].needs])))

  # One statement per "<verb> <resource-type>", limited with request.operation to the operations that need it (the
  # Core Services offer no target.* variable for private IPs, public IPs, VNICs or route tables). Nothing for
  # virtual-network-family, nothing for the members' instances.
  network_statements = [
    for g in local.grants :
    "Allow dynamic-group ${local.dynamic_group} to ${g} in compartment id ${var.compartment_ocid} where any {${join(", ", [for op in local.used_ops : "request.operation = '${op}'" if contains(local.oci_calls[op].needs, g)])}}"
  ]

  # OCI Functions caps the configuration of an application plus its function at 4 KB (docs/oci.md cites it). The
  # estimate counts every key and value, each OCID this module creates counted at 120 characters (they are ~90).
  config_limit_bytes = 4096
  ocid_estimate      = join("", [for i in range(120) : "o"])
  estimated_config = jsonencode(merge(local.config, {
    mirrors = [for m in local.config.mirrors : merge(m, {
      keys = [for key in m.keys : merge(key, {
        secret = key.secret == "oci-vault:terraform" ? "oci-vault:${local.ocid_estimate}" : key.secret
      })]
    })]
    operatorKeys = [for key in try(local.config.operatorKeys, []) : merge(key, {
      secret = key.secret == "oci-vault:terraform" ? "oci-vault:${local.ocid_estimate}" : key.secret
    })]
  }))
  estimated_settings = {
    MIRROR_VIP_CONFIG         = var.config_in_vault ? "oci-vault:${local.ocid_estimate}" : local.estimated_config
    MIRROR_VIP_CONFIG_SHA256  = var.config_in_vault ? join("", [for i in range(64) : "0"]) : ""
    MIRROR_VIP_PAUSED         = join(",", var.paused_mirrors)
    MIRROR_VIP_PAUSE_SECRETS  = jsonencode({ for m in local.pause_mirrors : m => local.ocid_estimate })
    MIRROR_VIP_COMPARTMENT_ID = var.compartment_ocid
  }
  config_bytes = sum([for k, v in local.estimated_settings : length(k) + length(v)])
}
