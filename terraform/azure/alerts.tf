# Azure Monitor → action group → the alert function (common alert schema), which reconciles the mirror.
resource "azurerm_monitor_action_group" "mirror_vip" {
  name                = "${var.name_prefix}-${var.mirror_name}"
  resource_group_name = var.resource_group_name
  short_name          = "mirrorvip"
  webhook_receiver {
    name                    = "mirror-vip-function"
    service_uri             = "https://${azurerm_linux_function_app.mirror_vip.default_hostname}/api/mirrorVipAlert?code=${data.azurerm_function_app_host_keys.mirror_vip.default_function_key}"
    use_common_alert_schema = true
  }
  tags = var.tags
}

# One availability alert per member VM: fired and resolved both reconcile (a reason to look, never an order).
resource "azurerm_monitor_metric_alert" "member_availability" {
  for_each            = var.members
  name                = "mirror-vip:${var.mirror_name}:${each.key}-availability"
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
    action_group_id = azurerm_monitor_action_group.mirror_vip.id
  }
  tags = var.tags
}
