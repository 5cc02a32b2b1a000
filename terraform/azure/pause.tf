# The maintenance pause through the function (mirror-vip pause|resume), only when the configuration has operator
# keys: one Key Vault secret for the mirror whose latest version is the pause record; pause and resume add versions
# (the history). The function's identity may get and set that one secret, nothing else: no list, no delete, no purge.
locals {
  has_operators     = length(try(local.config.operatorKeys, [])) > 0
  pause_secret_name = substr("${var.name_prefix}-pause-${replace(lower(var.mirror_name), "/[^a-z0-9-]/", "-")}", 0, 127)
  pause_data_actions = [
    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "Microsoft.KeyVault/vaults/secrets/setSecret/action",
  ]
}

resource "azurerm_key_vault_secret" "pause" {
  count        = local.has_operators ? 1 : 0
  name         = local.pause_secret_name
  key_vault_id = azurerm_key_vault.keys.id
  content_type = "application/json"
  # "not paused" until an operator pauses; each pause or resume is a new version terraform must never undo
  value = jsonencode({ paused = false, by = "terraform", since = timestamp() })
  lifecycle {
    ignore_changes = [value]
  }
  depends_on = [azurerm_role_assignment.deployer_secrets]
}

# Custom roles cannot be assignable at a single resource: the role is assignable in the resource group, and assigned
# on the pause secret alone (Key Vault RBAC scopes a role assignment to one secret).
resource "azurerm_role_definition" "pause" {
  count       = local.has_operators ? 1 : 0
  name        = "${var.name_prefix}-${var.mirror_name}-pause"
  scope       = "/subscriptions/${var.subscription_id}/resourceGroups/${var.resource_group_name}"
  description = "mirror-vip: read and write the maintenance pause of ${var.mirror_name} (its one Key Vault secret)"
  permissions {
    actions          = []
    not_actions      = []
    data_actions     = local.pause_data_actions
    not_data_actions = []
  }
  assignable_scopes = ["/subscriptions/${var.subscription_id}/resourceGroups/${var.resource_group_name}"]
}

resource "azurerm_role_assignment" "pause" {
  count              = local.has_operators ? 1 : 0
  scope              = azurerm_key_vault_secret.pause[0].resource_versionless_id
  role_definition_id = azurerm_role_definition.pause[0].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.function.principal_id
  principal_type     = "ServicePrincipal"
}

locals {
  # MIRROR_VIP_PAUSE_SECRETS: mirror name → the secret's versionless id, https://<vault>.vault.azure.net/secrets/<name>
  pause_settings = {
    for s in azurerm_key_vault_secret.pause : "MIRROR_VIP_PAUSE_SECRETS" => jsonencode({
      (var.mirror_name) = "${trimsuffix(lower(azurerm_key_vault.keys.vault_uri), "/")}/secrets/${s.name}"
    })
  }
}
