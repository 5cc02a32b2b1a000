# What the functions touch, derived from the configuration document alone. This file must reference nothing but
# var.*: the tests evaluate it with `terraform console` and no provider.

locals {
  config  = jsondecode(file(var.config_file))
  mirrors = [for m in local.config.mirrors : m if m.cloud == "gcp"]
  vips    = flatten([for m in local.mirrors : m.vips])

  members = {
    for mem in flatten([
      for m in local.mirrors : [
        for x in m.members : { key = "${m.name}/${x.name}", mirror = m.name, project = m.project, zone = x.zone, instance = x.instance }
      ]
    ]) : mem.key => mem
  }

  any_alias         = anytrue([for v in local.vips : v.mode == "alias-ip"])
  any_access_config = anytrue([for v in local.vips : v.mode == "alias-ip" && try(v.accessConfig, null) != null])
  any_route         = anytrue([for v in local.vips : v.mode == "route"])

  # One list per scope where GCP checks the permission (see GCP_PERMISSIONS_BY_CALL in compute-api.ts): instance
  # permissions are granted on the member instances only, subnetwork ones on the members' subnet, and the rest on
  # the project, because zone/global operations, routes, networks and addresses have no narrower IAM resource.
  instance_permissions = sort(concat(
    ["compute.instances.get"],
    local.any_alias ? ["compute.instances.updateNetworkInterface"] : [],
    local.any_access_config ? ["compute.instances.addAccessConfig", "compute.instances.deleteAccessConfig"] : [],
    local.any_route ? ["compute.instances.use"] : [],
  ))
  subnetwork_permissions = sort(concat(
    local.any_alias ? ["compute.subnetworks.use"] : [],
    local.any_access_config ? ["compute.subnetworks.useExternalIp"] : [],
  ))
  project_permissions = sort(concat(
    local.any_alias ? ["compute.zoneOperations.get"] : [],
    local.any_alias && var.vip_is_reserved_address ? ["compute.addresses.useInternal"] : [],
    local.any_access_config ? ["compute.addresses.use"] : [],
    local.any_route ? [
      "compute.globalOperations.get",
      "compute.networks.updatePolicy",
      "compute.routes.create",
      "compute.routes.delete",
      "compute.routes.get",
      "compute.routes.list",
    ] : [],
  ))

  # gcp-sm:projects/P/secrets/S/versions/V → the secret the function may read, keyed by key id.
  secrets = {
    for k in flatten([for m in local.mirrors : m.keys]) :
    k.id => { project = regex("^gcp-sm:projects/([^/]+)/", k.secret)[0], secret_id = regex("/secrets/([^/]+)/", k.secret)[0] }
    if startswith(k.secret, "gcp-sm:")
  }

  # Maintenance pauses (mirror-vip pause|resume through the function), only with operator keys: one Secret Manager
  # secret per mirror, mirror name -> secret id (ids allow letters, digits, _ and -), and the function's two roles on
  # each: add a version, read the latest. No delete, nothing project-wide.
  has_operators = length(try(local.config.operatorKeys, [])) > 0
  pause_secrets = local.has_operators ? {
    for m in local.mirrors : m.name => "${var.function_name}-pause-${replace(m.name, ".", "_")}"
  } : {}
  pause_roles = ["roles/secretmanager.secretAccessor", "roles/secretmanager.secretVersionAdder"]
  pause_grants = {
    for pair in setproduct(keys(local.pause_secrets), local.pause_roles) :
    "${pair[0]}/${pair[1]}" => { mirror = pair[0], role = pair[1] }
  }

  # Custom role ids allow letters, digits, _ and . only.
  role_prefix = replace(var.function_name, "-", "_")

  config_problems = concat(
    [for m in local.config.mirrors : "mirror ${m.name} is for ${m.cloud}, not gcp" if m.cloud != "gcp"],
    [for m in local.mirrors : "mirror ${m.name} is in project ${m.project}, not ${var.project}" if m.project != var.project],
    [for k, s in local.secrets : "key ${k} is in project ${s.project}, not ${var.project}" if s.project != var.project],
    local.any_alias && var.subnetwork == null ? ["an alias-ip VIP needs var.subnetwork"] : [],
  )
}
