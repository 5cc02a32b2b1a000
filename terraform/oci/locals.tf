locals {
  config = jsondecode(var.mirror_vip_config)

  # keys whose secret this module creates in the Vault (their config reference is "oci-vault:terraform")
  vault_keys = {
    for k in flatten([
      for m in local.config.mirrors : [
        for key in m.keys : { mirror = m.name, id = key.id, member = key.member } if key.secret == "oci-vault:terraform"
      ]
    ]) : k.id => merge(k, { secret_name = "${var.name}-${k.mirror}-${k.id}" })
  }

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

  # The function's network statements, one per resource type, each limited to the exact operations of
  # shared/providers/oci/vcn-api.ts (OCI_CALLS) with request.operation: read, use, and manage only where OCI puts
  # ROUTE_TABLE_UPDATE (route mode only). Nothing for virtual-network-family, nothing for the members' instances.
  network_statements = concat(
    contains(local.modes, "private-ip") ? [
      "Allow dynamic-group ${local.dynamic_group} to use private-ips in compartment id ${var.compartment_ocid} where any {request.operation = 'GetPrivateIp', request.operation = 'ListPrivateIps', request.operation = 'UpdatePrivateIp'}",
      "Allow dynamic-group ${local.dynamic_group} to use vnics in compartment id ${var.compartment_ocid} where any {request.operation = 'UpdatePrivateIp', request.operation = 'GetVnic'}",
      "Allow dynamic-group ${local.dynamic_group} to use public-ips in compartment id ${var.compartment_ocid} where any {request.operation = 'GetPublicIp', request.operation = 'UpdatePublicIp'}",
    ] : [],
    contains(local.modes, "route") ? [
      "Allow dynamic-group ${local.dynamic_group} to manage route-tables in compartment id ${var.compartment_ocid} where any {request.operation = 'GetRouteTable', request.operation = 'UpdateRouteTable'}",
      "Allow dynamic-group ${local.dynamic_group} to read private-ips in compartment id ${var.compartment_ocid} where any {request.operation = 'UpdateRouteTable'}",
      "Allow dynamic-group ${local.dynamic_group} to read vnics in compartment id ${var.compartment_ocid} where any {request.operation = 'GetVnic'}",
    ] : [],
  )
}
