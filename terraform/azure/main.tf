# Consumption plan (Linux, Y1): billed per execution, which suits a function that runs on a failover, an alert
# and a once-a-minute reconcile. Its cold start is seconds (docs/azure.md); its scale-out can be capped at one
# instance (app_scale_limit), which one writer per mirror needs.
resource "azurerm_storage_account" "function" {
  name                            = substr(replace(lower("${var.name_prefix}${var.mirror_name}"), "/[^a-z0-9]/", ""), 0, 24)
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  tags                            = var.tags
}

resource "azurerm_service_plan" "function" {
  name                = "${var.name_prefix}-plan"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = "Y1"
  tags                = var.tags
}

resource "azurerm_linux_function_app" "mirror_vip" {
  # function app names: 2-60 letters, digits and hyphens, not starting or ending with a hyphen
  name                            = trim(substr(replace(lower("${var.name_prefix}-${var.mirror_name}"), "/[^a-z0-9]+/", "-"), 0, 60), "-")
  resource_group_name             = var.resource_group_name
  location                        = var.location
  service_plan_id                 = azurerm_service_plan.function.id
  storage_account_name            = azurerm_storage_account.function.name
  storage_account_access_key      = azurerm_storage_account.function.primary_access_key
  https_only                      = true
  key_vault_reference_identity_id = azurerm_user_assigned_identity.function.id
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.function.id]
  }
  site_config {
    # one writer per mirror (safety issue): the platform never runs a second instance of this app
    app_scale_limit = 1
    ftps_state      = "Disabled"
    application_stack {
      # Node 20 is past end of life on Azure Functions; the bundle (esbuild --target=node20) runs unchanged on 22
      node_version = "22"
    }
  }
  app_settings = local.app_settings
  tags         = var.tags
}

locals {
  app_settings = merge(
    {
      FUNCTIONS_WORKER_RUNTIME = "node"
      WEBSITE_RUN_FROM_PACKAGE = var.package_url
      MIRROR_VIP_CONFIG        = local.config_text
      MIRROR_VIP_PAUSED        = join(",", var.paused_mirrors)
      AZURE_CLIENT_ID          = azurerm_user_assigned_identity.function.client_id
      # one writer per mirror: never more than one instance (the probes stay the proof; this is defence in depth)
      WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT = "1"
    },
    # each key's env: setting (member and operator keys): a Key Vault reference the platform resolves at start
    { for k, s in local.key_secrets : s.setting => "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.member_key[k].versionless_id})" },
    local.pause_settings,
    local.check_settings,
  )
}
