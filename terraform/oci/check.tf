# The preflight check (issue #19): a schedule invokes the function with {"kind":"mirror-vip.check"}; the function
# writes one structured log line per run (functions/oci/app.ts). Its invoke log → Connector Hub (the lines with
# "actionable":true, i.e. a failing check or a read it could not make) → a custom metric → an alarm → a topic a
# human subscribes to. The write rights are not counted: OCI cannot test them without writing (docs/oci.md).

variable "check_cron" {
  description = "Resource Scheduler recurrence (cron) of the preflight check; hourly by default."
  type        = string
  default     = "0 * * * *"
}

variable "check_alert_emails" {
  description = "Addresses subscribed to the failing-check topic (each confirms the subscription by mail)."
  type        = list(string)
  default     = []
}

resource "oci_resource_scheduler_schedule" "check" {
  compartment_id     = var.compartment_ocid
  display_name       = "${var.name}-check"
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.check_cron
  resources {
    id = oci_functions_function.mirror_vip.id
    parameters {
      parameter_type = "BODY"
      # the provider's schema: a list of one JSON document (oracle/oci >= 6.37.0)
      value = [jsonencode({ kind = "mirror-vip.check" })]
    }
  }
}

# The check's schedule may invoke the function (the reconcile schedule has its own statement in iam.tf).
resource "oci_identity_policy" "check_invoker" {
  compartment_id = var.compartment_ocid
  name           = "${var.name}-check-invoker"
  description    = "mirror-vip: the preflight check's schedule invokes the function"
  statements = [
    "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'resourceschedule', request.principal.id = '${oci_resource_scheduler_schedule.check.id}'}",
  ]
}

# The function's invoke logs (what it writes to stdout/stderr), where the check's log line lands.
resource "oci_logging_log_group" "function" {
  compartment_id = var.compartment_ocid
  display_name   = "${var.name}-function"
}

resource "oci_logging_log" "function_invoke" {
  display_name = "${var.name}-invoke"
  log_group_id = oci_logging_log_group.function.id
  log_type     = "SERVICE"
  is_enabled   = true
  configuration {
    compartment_id = var.compartment_ocid
    source {
      category    = "invoke"
      resource    = oci_functions_application.mirror_vip.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
}

# Actionable failed-check lines → custom metric mirror_vip/check_failed (one datapoint per line).
resource "oci_sch_service_connector" "check_failed" {
  compartment_id = var.compartment_ocid
  display_name   = "${var.name}-check-failed"
  source {
    kind = "logging"
    log_sources {
      compartment_id = var.compartment_ocid
      log_group_id   = oci_logging_log_group.function.id
      log_id         = oci_logging_log.function_invoke.id
    }
  }
  tasks {
    kind      = "logRule"
    condition = "data.message = '*\"msg\":\"mirror-vip check failed\"*' and data.message = '*\"actionable\":true*'"
  }
  target {
    kind             = "monitoring"
    compartment_id   = var.compartment_ocid
    metric_namespace = "mirror_vip"
    metric           = "check_failed"
  }
}

resource "oci_ons_notification_topic" "check" {
  compartment_id = var.compartment_ocid
  name           = "${var.name}-check"
}

resource "oci_ons_subscription" "check_email" {
  for_each       = toset(var.check_alert_emails)
  compartment_id = var.compartment_ocid
  topic_id       = oci_ons_notification_topic.check.id
  protocol       = "EMAIL"
  endpoint       = each.value
}

resource "oci_monitoring_alarm" "check_failed" {
  compartment_id               = var.compartment_ocid
  metric_compartment_id        = var.compartment_ocid
  display_name                 = "mirror-vip:check-failed"
  namespace                    = "mirror_vip"
  query                        = "check_failed[1h].count() > 0"
  severity                     = "CRITICAL"
  destinations                 = [oci_ons_notification_topic.check.id]
  is_enabled                   = true
  body                         = "The mirror-vip preflight check failed: a move would be refused or would not carry traffic. Read the function's invoke log (msg \"mirror-vip check failed\") or run mirror-vip check."
  pending_duration             = "PT1M"
  repeat_notification_duration = "PT4H"
}
