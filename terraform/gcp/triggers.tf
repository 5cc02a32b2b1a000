# The triggers besides the HTTP URL, all through one Pub/Sub topic: Cloud Monitoring alerts on member health and a
# Cloud Scheduler job every minute. The event function tells them apart by the message.

resource "google_pubsub_topic" "events" {
  name = "${var.function_name}-events"
}

# Cloud Monitoring publishes alert notifications as its per-project service agent.
resource "google_pubsub_topic_iam_member" "monitoring_publishes" {
  topic  = google_pubsub_topic.events.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
}

resource "google_monitoring_notification_channel" "events" {
  display_name = "mirror-vip events (${var.function_name})"
  type         = "pubsub"
  labels = {
    topic = google_pubsub_topic.events.id
  }
}

# One policy per mirror. The function maps an incident back to its mirror by the user label `mirror`, else by the
# policy name mirror-vip:<mirror>:…, else by the instance (zone and instance_name) of the time series.
resource "google_monitoring_alert_policy" "member_down" {
  for_each = { for m in local.mirrors : m.name => m }

  display_name = "mirror-vip:${each.key}:member-down"
  combiner     = "OR"
  user_labels  = can(regex("^[a-z0-9_-]{1,63}$", lower(each.key))) ? { mirror = lower(each.key) } : {}

  conditions {
    display_name = "a member of ${each.key} reports no uptime"
    # A stopped, crashed or deleted instance stops reporting its uptime metric.
    condition_absent {
      filter   = "resource.type = \"gce_instance\" AND metric.type = \"compute.googleapis.com/instance/uptime\" AND metric.label.instance_name = one_of(${join(", ", [for x in each.value.members : "\"${x.instance}\""])})"
      duration = "${var.member_down_after}s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MEAN"
      }
    }
  }

  notification_channels = [google_monitoring_notification_channel.events.id]

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A member of mirror ${each.key} stopped reporting. mirror-vip reconciles the mirror: the VIP goes to the member that answers primary on its mirror_status endpoint, if exactly one does."
  }
}

resource "google_cloud_scheduler_job" "reconcile" {
  name        = "${var.function_name}-reconcile"
  region      = var.region
  description = "mirror-vip reconcile of every mirror"
  schedule    = var.reconcile_schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.events.id
    data       = base64encode(jsonencode({ kind = "mirror-vip.reconcile" }))
  }
}
