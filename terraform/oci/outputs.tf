output "event_url" {
  description = "Where members send their signed became-primary events (MIRROR_VIP_URL of the notifier)."
  value       = "${oci_apigateway_gateway.mirror_vip.hostname}${oci_apigateway_deployment.mirror_vip.path_prefix}/event"
}

output "function_id" {
  value = oci_functions_function.mirror_vip.id
}

output "vault_secrets" {
  description = "Each Terraform-made member key: its Vault secret name and OCID, to store the keygen output in."
  value       = { for k, v in local.vault_keys : k => { name = v.secret_name, id = oci_vault_secret.member_key[k].id } }
}

output "pause_secrets" {
  description = "Each mirror's pause secret (with operator keys): its OCID, to read the pause history (docs/oci.md)."
  value       = { for m in local.pause_mirrors : m => oci_vault_secret.pause[m].id }
}
