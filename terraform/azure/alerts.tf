# Azure Monitor → action group → the alert function (common alert schema), which reconciles the mirror. A second
# apply (alerts_enabled = true): the webhook carries the function key, which the provider can read only from an app
# that already runs (hashicorp/terraform-provider-azurerm#16599, #9854), never in the apply that creates it.
data "azurerm_function_app_host_keys" "mirror_vip" {
  count               = var.alerts_enabled ? 1 : 0
  name                = azurerm_linux_function_app.mirror_vip.name
  resource_group_name = var.resource_group_name
}

resource "azurerm_monitor_action_group" "mirror_vip" {
  count               = var.alerts_enabled ? 1 : 0
  name                = "${var.name_prefix}-${var.mirror_name}"
  resource_group_name = var.resource_group_name
  short_name          = "mirrorvip"
  webhook_receiver {
    name                    = "mirror-vip-function"
    service_uri             = "https://${azurerm_linux_function_app.mirror_vip.default_hostname}/api/mirrorVipAlert?code=${data.azurerm_function_app_host_keys.mirror_vip[0].default_function_key}"
    use_common_alert_schema = true
  }
  tags = var.tags
}

# One availability alert per member VM: fired and resolved both reconcile (a reason to look, never an order). Metric
# alert names may not hold * # & + : < > ? @ % { } \ / (Azure naming rules); the rule names its mirror with the
# webhook property "mirror", which the function reads first (functions/azure/azure-events.ts).
resource "azurerm_monitor_metric_alert" "member_availability" {
  for_each            = var.alerts_enabled ? { for name, m in local.members : name => m if m.vm_id != null } : {}
  name                = "${var.name_prefix}-${var.mirror_name}-${each.key}-availability"
  resource_group_name = var.resource_group_name
  scopes              = [each.value.vm_id]
  description         = "VM availability of ${each.key}; reconciles mirror ${var.mirror_name}"
  severity            = 1
  frequency           = "PT1M"
  window_size         = "PT5M"
  auto_mitigate       = true
  criteria {
    metric_namespace = "Microsoft.Compute/virtualMachines"
    metric_name      = "VmAvailabilityMetric"
    aggregation      = "Average"
    operator         = "LessThan"
    threshold        = 1
  }
  action {
    action_group_id    = azurerm_monitor_action_group.mirror_vip[0].id
    webhook_properties = { mirror = var.mirror_name }
  }
  tags = var.tags
}
