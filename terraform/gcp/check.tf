# The preflight (`mirror-vip check`, docs/operate.md and docs/gcp.md): the events function runs it on its own Cloud
# Scheduler job and on its first event after a cold start. A failing run writes one log line
# {"severity":"ERROR","message":"mirror-vip check failed",...}; the log-based metric below counts it and the alert
# policy notifies var.notification_channels (the GCP function's outcome notifications work the same way).

variable "check_schedule" {
  description = "Cron schedule (Cloud Scheduler) of the preflight check of every mirror; hourly by default."
  type        = string
  default     = "0 * * * *"
}

resource "google_cloud_scheduler_job" "check" {
  name        = "${var.function_name}-check"
  region      = var.region
  description = "mirror-vip preflight check of every mirror (zero writes)"
  schedule    = var.check_schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.events.id
    data       = base64encode(jsonencode({ kind = "mirror-vip.check" }))
  }
}

# What the check reads beyond the move's own permissions: the subnet's ranges (alias fit) and, with a public VIP,
# the reserved addresses (exists, tier). testIamPermissions itself needs no permission.
resource "google_project_iam_custom_role" "check_subnetwork" {
  count       = local.any_alias ? 1 : 0
  role_id     = "${local.role_prefix}_check_subnetwork"
  title       = "mirror-vip preflight on the members' subnet"
  description = "Read the members' subnet ranges (granted on that subnet only)"
  permissions = ["compute.subnetworks.get"]
}

resource "google_compute_subnetwork_iam_member" "check" {
  count      = local.any_alias ? 1 : 0
  project    = var.project
  region     = var.region
  subnetwork = var.subnetwork
  role       = google_project_iam_custom_role.check_subnetwork[0].id
  member     = "serviceAccount:${google_service_account.function.email}"
}

# Addresses have no resource-level IAM for list: the project is the narrowest scope.
resource "google_project_iam_custom_role" "check_project" {
  count       = local.any_access_config ? 1 : 0
  role_id     = "${local.role_prefix}_check_project"
  title       = "mirror-vip preflight project-wide"
  description = "List the reserved addresses to find the public VIP's"
  permissions = ["compute.addresses.list"]
}

resource "google_project_iam_member" "check" {
  count   = local.any_access_config ? 1 : 0
  project = var.project
  role    = google_project_iam_custom_role.check_project[0].id
  member  = "serviceAccount:${google_service_account.function.email}"
}

resource "google_logging_metric" "check_failed" {
  name   = "${var.function_name}-check-failed"
  filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"mirror-vip check failed\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_monitoring_alert_policy" "check_failed" {
  display_name          = "mirror-vip preflight check failed (${var.function_name})"
  combiner              = "OR"
  notification_channels = var.notification_channels

  conditions {
    display_name = "mirror-vip check failed"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.check_failed.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "3600s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    content   = "The preflight found what would stop a failover. Run `mirror-vip check --cloud gcp` for each finding and its fix (docs/operate.md)."
    mime_type = "text/markdown"
  }
}
