output "function_url" {
  value       = "https://${azurerm_linux_function_app.mirror_vip.default_hostname}/api/mirrorVip"
  description = "The members' notifier URL (signed events; anonymous, the HMAC authenticates)."
}

output "key_vault_secret_names" {
  value       = { for k, s in local.key_secrets : k => s.secret }
  description = "Key id → Key Vault secret the operator fills: az keyvault secret set --vault-name <vault> --name <secret> --file <key>."
}

output "key_vault_name" {
  value = azurerm_key_vault.keys.name
}

output "function_identity_principal_id" {
  value = azurerm_user_assigned_identity.function.principal_id
}

output "pause_secret_name" {
  value       = one(azurerm_key_vault_secret.pause[*].name)
  description = "The mirror's pause secret (with operator keys), its history: az keyvault secret list-versions --vault-name <vault> --name <secret>."
}
