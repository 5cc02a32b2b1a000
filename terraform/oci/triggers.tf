# Alarms → Notifications topic → the function (reconcile the mirror the alarm names), and a scheduled reconcile.
resource "oci_ons_notification_topic" "alarms" {
  compartment_id = var.compartment_ocid
  name           = "${var.name}-alarms"
}

resource "oci_ons_subscription" "function" {
  compartment_id = var.compartment_ocid
  topic_id       = oci_ons_notification_topic.alarms.id
  protocol       = "ORACLE_FUNCTIONS"
  endpoint       = oci_functions_function.mirror_vip.id
}

# A member whose instance stops reporting healthy: the title names the mirror (functions/oci/oci-events.ts).
resource "oci_monitoring_alarm" "member_down" {
  for_each                     = local.watched
  compartment_id               = var.compartment_ocid
  metric_compartment_id        = var.compartment_ocid
  display_name                 = "mirror-vip:${each.value.mirror}:${each.value.member}-down"
  namespace                    = "oci_compute_infrastructure_health"
  query                        = "instance_status[1m]{resourceId = \"${each.value.instance}\"}.max() > 0"
  severity                     = "CRITICAL"
  destinations                 = [oci_ons_notification_topic.alarms.id]
  is_enabled                   = true
  message_format               = "RAW"
  pending_duration             = "PT1M"
  repeat_notification_duration = "PT5M"
}

resource "oci_resource_scheduler_schedule" "reconcile" {
  compartment_id     = var.compartment_ocid
  display_name       = "${var.name}-reconcile"
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.reconcile_cron
  resources {
    id = oci_functions_function.mirror_vip.id
    parameters {
      parameter_type = "BODY"
      # the provider's schema: a list of one JSON document (oracle/oci >= 6.37.0)
      value = [jsonencode({ kind = "mirror-vip.reconcile" })]
    }
  }
}
