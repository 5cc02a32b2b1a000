# The function's user-assigned identity holds the only network-write rights; the member VMs hold none.
resource "azurerm_user_assigned_identity" "function" {
  name                = "${var.name_prefix}-function"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# One custom role per kind of scope, each with exactly the narrow client's actions for that scope.
resource "azurerm_role_definition" "move" {
  for_each    = local.role_kinds
  name        = "${var.name_prefix}-${var.mirror_name}-${each.key}"
  scope       = "/subscriptions/${local.sub}"
  description = "mirror-vip: what the function needs on the ${each.key} scope to move the VIP of ${var.mirror_name}"
  permissions {
    actions     = local.role_actions[each.key]
    not_actions = []
  }
  # resource groups (or the subscription), never resource ids: Azure refuses a resource as an assignable scope
  assignable_scopes = local.role_assignable_scopes[each.key]
}

resource "azurerm_role_assignment" "move" {
  for_each           = local.role_scopes
  scope              = each.value.scope
  role_definition_id = azurerm_role_definition.move[each.value.kind].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.function.principal_id
  principal_type     = "ServicePrincipal"
}

# The member keys: readable by the function's identity only (RBAC vault, role on each secret).
data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "keys" {
  # Key Vault names: 3-24 letters, digits and single hyphens, starting with a letter, not ending with a hyphen
  name                       = trimsuffix(substr(replace("${var.name_prefix}-${var.mirror_name}", "/[^A-Za-z0-9]+/", "-"), 0, 24), "-")
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  purge_protection_enabled   = true
  soft_delete_retention_days = 7
  tags                       = var.tags
}

# A placeholder the operator replaces (az keyvault secret set); shorter than 32 characters, so the function
# refuses it at cold start. Terraform never holds a real key.
resource "azurerm_key_vault_secret" "member_key" {
  for_each     = local.key_secrets
  name         = each.value.secret
  key_vault_id = azurerm_key_vault.keys.id
  value        = "unset: run mirror-vip keygen"
  lifecycle {
    ignore_changes = [value]
  }
  depends_on = [azurerm_role_assignment.deployer_secrets]
}

# Whoever runs terraform writes the secrets above into an RBAC vault: it needs a data-plane role there, which no
# control-plane role (Owner, Contributor) gives. Key Vault Secrets Officer on this vault only.
resource "azurerm_role_assignment" "deployer_secrets" {
  scope                = azurerm_key_vault.keys.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_role_assignment" "key_reader" {
  for_each             = local.key_secrets
  scope                = azurerm_key_vault_secret.member_key[each.key].resource_versionless_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.function.principal_id
  principal_type       = "ServicePrincipal"
}
