# Outcome notifications and operational alerts on GCP: log-based metrics over the functions' decision lines
# ({"message":"mirror-vip decision","outcome":...} on stdout, written by functions/gcp/gcp-runtime.ts cloudLoggingLine,
# become jsonPayload in Cloud Logging) and alert policies on them. This is the GCP outcome notification: a documented
# log-based alert, not a Pub/Sub publish from the function.

locals {
  decision_filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"mirror-vip decision\""
  outcome_alerts = {
    moved     = { filter = "jsonPayload.outcome=\"moved\"", title = "mirror-vip moved a VIP" }
    failed    = { filter = "jsonPayload.outcome=\"failed\"", title = "mirror-vip failed to move a VIP" }
    noprimary = { filter = "jsonPayload.error.code=\"no_primary\"", title = "mirror-vip: no member answers primary" }
  }
}

resource "google_logging_metric" "outcome" {
  for_each = local.outcome_alerts
  name     = "${var.function_name}-${each.key}"
  filter   = "${local.decision_filter} AND ${each.value.filter}"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "mirror"
      value_type = "STRING"
    }
  }
  label_extractors = { mirror = "EXTRACT(jsonPayload.mirror)" }
}

resource "google_monitoring_alert_policy" "outcome" {
  for_each              = local.outcome_alerts
  display_name          = "${each.value.title} (${var.function_name})"
  combiner              = "OR"
  notification_channels = var.notification_channels

  conditions {
    display_name = each.value.title
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.outcome[each.key].name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    content   = "See docs/runbooks.md: the decision line has the mirror, from, to, probes and error."
    mime_type = "text/markdown"
  }
}

# Errors of the functions themselves (an uncaught error or a crash): log entries of severity ERROR.
resource "google_logging_metric" "function_errors" {
  name   = "${var.function_name}-function-errors"
  filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=~\"^${var.function_name}\" AND severity>=ERROR"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_monitoring_alert_policy" "function_errors" {
  display_name          = "mirror-vip function errors (${var.function_name})"
  combiner              = "OR"
  notification_channels = var.notification_channels

  conditions {
    display_name = "function errors"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.function_errors.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}
