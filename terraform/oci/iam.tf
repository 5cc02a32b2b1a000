# The function's identity: a dynamic group whose only member is this one function (resource principal).
resource "oci_identity_dynamic_group" "function" {
  compartment_id = var.tenancy_ocid
  name           = local.dynamic_group
  description    = "mirror-vip: the failover function only"
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.mirror_vip.id}'}"
}

resource "oci_identity_policy" "function" {
  compartment_id = var.compartment_ocid
  name           = "${var.name}-function"
  description    = "mirror-vip: the moves of shared/providers/oci (OCI_CALLS), the member keys and the pause secrets, nothing else"
  statements = concat(
    local.network_statements,
    [
      for k, v in local.vault_keys :
      "Allow dynamic-group ${local.dynamic_group} to read secret-bundles in compartment id ${var.compartment_ocid} where target.secret.id = '${oci_vault_secret.member_key[k].id}'"
    ],
    # with config_in_vault, the configuration document's secret: read its CURRENT version at cold start
    [
      for s in oci_vault_secret.config :
      "Allow dynamic-group ${local.dynamic_group} to read secret-bundles in compartment id ${var.compartment_ocid} where target.secret.id = '${s.id}'"
    ],
    # each pause secret, that secret only: read its CURRENT version (GetSecretBundle: read secret-bundles) and add
    # versions (UpdateSecret needs SECRET_UPDATE, first granted by `use secrets`: the Vault policy reference)
    flatten([
      for m in local.pause_mirrors : [
        "Allow dynamic-group ${local.dynamic_group} to read secret-bundles in compartment id ${var.compartment_ocid} where target.secret.id = '${oci_vault_secret.pause[m].id}'",
        "Allow dynamic-group ${local.dynamic_group} to use secrets in compartment id ${var.compartment_ocid} where target.secret.id = '${oci_vault_secret.pause[m].id}'",
      ]
    ]),
  )
  depends_on = [oci_identity_dynamic_group.function]
}

# Who may invoke the function: the API Gateway of this deployment, and this module's schedule.
resource "oci_identity_policy" "invokers" {
  compartment_id = var.compartment_ocid
  name           = "${var.name}-invokers"
  description    = "mirror-vip: the gateway and the schedule invoke the function"
  statements = [
    "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'ApiGateway', request.resource.compartment.id = '${var.compartment_ocid}', target.function.id = '${oci_functions_function.mirror_vip.id}'}",
    "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'resourceschedule', request.principal.id = '${oci_resource_scheduler_schedule.reconcile.id}'}",
  ]
}
