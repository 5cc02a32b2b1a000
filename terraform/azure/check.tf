# The preflight check (issue #19): the function's timer mirrorVipCheck runs on MIRROR_VIP_CHECK_SCHEDULE and writes
# one structured log line per run (functions/azure/app.ts). Application Insights (workspace-based) keeps the line;
# a scheduled query alert counts the failed ones and notifies an action group of people.

variable "check_schedule" {
  description = "NCRONTAB (with seconds) of the preflight check's timer; hourly by default."
  type        = string
  default     = "0 0 * * * *"
}

variable "check_alert_emails" {
  description = "Addresses the failing-check action group mails."
  type        = list(string)
  default     = []
}

resource "azurerm_log_analytics_workspace" "function" {
  name                = "${var.name_prefix}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = var.tags
}

resource "azurerm_application_insights" "function" {
  name                = "${var.name_prefix}-insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = azurerm_log_analytics_workspace.function.id
  application_type    = "Node.JS"
  tags                = var.tags
}

locals {
  # merged into the function app's settings (main.tf)
  check_settings = {
    MIRROR_VIP_CHECK_SCHEDULE             = var.check_schedule
    APPLICATIONINSIGHTS_CONNECTION_STRING = azurerm_application_insights.function.connection_string
  }
  # the reads only the check makes (shared/providers/azure/network-api.ts AZURE_CHECK_ACTIONS_BY_CALL)
  check_actions = {
    subnet   = ["Microsoft.Network/virtualNetworks/subnets/read"]
    publicIp = ["Microsoft.Network/publicIPAddresses/read"]
  }
  check_scopes = { for k, s in local.role_scopes : k => s if contains(keys(local.check_actions), s.kind) }
}

resource "azurerm_role_definition" "check" {
  for_each    = toset([for s in values(local.check_scopes) : s.kind])
  name        = "${var.name_prefix}-${var.mirror_name}-check-${each.key}"
  scope       = "/subscriptions/${var.subscription_id}"
  description = "mirror-vip: what the preflight check reads on the ${each.key} scope of ${var.mirror_name}"
  permissions {
    actions     = local.check_actions[each.key]
    not_actions = []
  }
  assignable_scopes = distinct([for s in values(local.check_scopes) : s.scope if s.kind == each.key])
}

resource "azurerm_role_assignment" "check" {
  for_each           = local.check_scopes
  scope              = each.value.scope
  role_definition_id = azurerm_role_definition.check[each.value.kind].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.function.principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_monitor_action_group" "check" {
  name                = "${var.name_prefix}-${var.mirror_name}-check"
  resource_group_name = var.resource_group_name
  short_name          = "mvipcheck"
  dynamic "email_receiver" {
    for_each = var.check_alert_emails
    content {
      name                    = "check-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
  tags = var.tags
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "check_failed" {
  name                 = "mirror-vip-${var.mirror_name}-check-failed"
  resource_group_name  = var.resource_group_name
  location             = var.location
  description          = "The mirror-vip preflight check failed: a move would be refused or would not carry traffic"
  severity             = 1
  scopes               = [azurerm_application_insights.function.id]
  evaluation_frequency = "PT15M"
  window_duration      = "PT1H"
  criteria {
    query                   = "traces | where message has '\"msg\":\"mirror-vip check failed\"'"
    time_aggregation_method = "Count"
    threshold               = 0
    operator                = "GreaterThan"
  }
  auto_mitigation_enabled = true
  action {
    action_groups = [azurerm_monitor_action_group.check.id]
  }
  tags = var.tags
}
