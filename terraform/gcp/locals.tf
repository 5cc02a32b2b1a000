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

  # env:NAME keys: the module manages the functions' whole environment, so a variable set outside it is removed by
  # the next apply. NAME must come from Secret Manager through var.secret_env (secret_environment_variables).
  env_key_names = distinct([for k in local.all_keys : trimprefix(k.secret, "env:") if startswith(k.secret, "env:")])
  any_route     = anytrue([for v in local.vips : v.mode == "route"])

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
    # a scheduled reconcile of 2+ mirrors lists the project's instances once (instances.aggregatedList, listNicsPage)
    # instead of one instances.get per member; aggregatedList has no narrower IAM resource than the project
    length(local.mirrors) > 1 ? ["compute.instances.list"] : [],
    local.any_alias && var.vip_is_reserved_address ? ["compute.addresses.useInternal"] : [],
    # addAccessConfig on a legacy (non-subnet) network checks compute.networks.useExternalIp instead of the subnet's
    # useExternalIp; networks have no narrower IAM resource (GCP_PERMISSIONS_BY_CALL.addAccessConfig).
    local.any_access_config ? ["compute.addresses.use", "compute.networks.useExternalIp"] : [],
    # routes.list serves both the per-mirror read and the scheduled reconcile's snapshot (listRoutesPage)
    local.any_route ? [
      "compute.globalOperations.get",
      "compute.networks.updatePolicy",
      "compute.routes.create",
      "compute.routes.delete",
      "compute.routes.get",
      "compute.routes.list",
    ] : [],
  ))

  # Member keys and operator keys: both are read at cold start from the same reference forms.
  all_keys = concat(flatten([for m in local.mirrors : m.keys]), try(local.config.operatorKeys, []))

  # gcp-sm:projects/P/secrets/S/versions/V → the secret the function may read, keyed by key id.
  secrets = {
    for k in local.all_keys :
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

  # Where pause|resume write: mirror name -> projects/P/secrets/S (the secret's id); "{}" without operator keys.
  pause_secrets_env = jsonencode({ for m, id in local.pause_secrets : m => "projects/${var.project}/secrets/${id}" })

  # The environment both functions get; Cloud Run functions count every name and value (and the names of
  # secret_env variables) against 32 KiB. length() counts characters: the document is ASCII JSON.
  function_environment = {
    MIRROR_VIP_CONFIG        = jsonencode(local.config)
    MIRROR_VIP_PAUSED        = join(",", var.paused_mirrors)
    MIRROR_VIP_PAUSE_SECRETS = local.pause_secrets_env
  }
  function_environment_bytes = sum(concat(
    [for k, v in local.function_environment : length(k) + length(v)],
    [for k in keys(var.secret_env) : length(k)],
  ))

  # Custom role ids allow letters, digits, _ and . only.
  role_prefix = replace(var.function_name, "-", "_")

  config_problems = concat(
    [for m in local.config.mirrors : "mirror ${m.name} is for ${m.cloud}, not gcp" if m.cloud != "gcp"],
    [for m in local.mirrors : "mirror ${m.name} is in project ${m.project}, not ${var.project}" if m.project != var.project],
    [for k, s in local.secrets : "key ${k} is in project ${s.project}, not ${var.project}" if s.project != var.project],
    local.any_alias && var.subnetwork == null ? ["an alias-ip VIP needs var.subnetwork"] : [],
    [for n in local.env_key_names : "a key reads env:${n}, which only survives the next apply from Secret Manager: add ${n} to secret_env or use a gcp-sm: reference" if !contains(keys(var.secret_env), n)],
  )
}
