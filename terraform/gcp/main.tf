# mirror-vip on Cloud Functions (2nd gen): the HTTP function for signed events and the event function for alerts and
# the schedule, both from the one bundle. IAM is in iam.tf, alerts and the schedule in triggers.tf.

data "google_project" "this" {
  project_id = var.project
}

locals {
  bundle_path = coalesce(var.bundle_path, "${path.module}/../../dist/gcp/index.mjs")
}

# The bundle carries its own code; the runtime adds the Functions Framework that loads it by its exported names.
data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.root}/.terraform/mirror-vip-gcp.zip"

  source {
    content  = file(local.bundle_path)
    filename = "index.mjs"
  }

  source {
    content = jsonencode({
      name         = "mirror-vip-function"
      private      = true
      type         = "module"
      main         = "index.mjs"
      engines      = { node = ">=22" }
      dependencies = { "@google-cloud/functions-framework" = "^5.0.0" }
    })
    filename = "package.json"
  }
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project}-${var.function_name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

resource "google_storage_bucket_object" "source" {
  name   = "mirror-vip-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}

locals {
  build_source = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }
  vpc_egress = var.vpc_connector == null ? null : "PRIVATE_RANGES_ONLY"
}

resource "google_cloudfunctions2_function" "http" {
  name        = var.function_name
  location    = var.region
  description = "Moves the mirror VIP to the real primary on a signed event (mirror-vip)"

  build_config {
    runtime     = "nodejs22"
    entry_point = "mirrorVip"
    source {
      storage_source {
        bucket = local.build_source.bucket
        object = local.build_source.object
      }
    }
  }

  service_config {
    service_account_email = google_service_account.function.email
    available_memory      = "512M"
    available_cpu         = "1"
    timeout_seconds       = 180 # deadline 90 s + commit grace 60 s + 30 s (shared/config/timing.ts)
    # One writer per mirror, by the platform (defence in depth; the engine is safe without it, see docs/protocol.md).
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    ingress_settings                 = var.ingress_settings
    all_traffic_on_latest_revision   = true
    vpc_connector                    = var.vpc_connector
    vpc_connector_egress_settings    = local.vpc_egress
    environment_variables            = local.function_environment
    # env:NAME keys, from Secret Manager: managed here, so the next apply keeps them (var.secret_env).
    dynamic "secret_environment_variables" {
      for_each = var.secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.function,
    google_secret_manager_secret_iam_member.pause,
    google_secret_manager_secret_iam_member.env,
  ]

  lifecycle {
    precondition {
      condition     = length(local.config_problems) == 0
      error_message = "The configuration does not fit this deployment: ${join("; ", local.config_problems)}."
    }
    precondition {
      # Cloud Run functions: names and values of a function's environment variables together at most 32 KiB.
      condition     = local.function_environment_bytes <= 32768
      error_message = "The functions' environment is ${local.function_environment_bytes} bytes; Cloud Run functions allow 32 KiB (32768 bytes) for all environment variable names and values together: shorten the configuration document or split the mirrors across two deployments."
    }
  }
}

resource "google_cloudfunctions2_function" "events" {
  name        = "${var.function_name}-events"
  location    = var.region
  description = "Reconciles a mirror on a Cloud Monitoring alert or the schedule (mirror-vip)"

  build_config {
    runtime     = "nodejs22"
    entry_point = "mirrorVipEvents"
    source {
      storage_source {
        bucket = local.build_source.bucket
        object = local.build_source.object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function.email
    available_memory                 = "512M"
    available_cpu                    = "1"
    timeout_seconds                  = 180 # deadline 90 s + commit grace 60 s + 30 s (shared/config/timing.ts)
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    vpc_connector                    = var.vpc_connector
    vpc_connector_egress_settings    = local.vpc_egress
    environment_variables            = local.function_environment
    # env:NAME keys, from Secret Manager: managed here, so the next apply keeps them (var.secret_env).
    dynamic "secret_environment_variables" {
      for_each = var.secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.events.id
    service_account_email = google_service_account.trigger.email
    # A failed reconcile is not retried by Pub/Sub: the next alert or the schedule (every minute) runs it again.
    retry_policy = "RETRY_POLICY_DO_NOT_RETRY"
  }

  depends_on = [
    google_secret_manager_secret_iam_member.function,
    google_secret_manager_secret_iam_member.pause,
    google_secret_manager_secret_iam_member.env,
  ]

  lifecycle {
    precondition {
      condition     = length(local.config_problems) == 0
      error_message = "The configuration does not fit this deployment: ${join("; ", local.config_problems)}."
    }
    precondition {
      # Cloud Run functions: names and values of a function's environment variables together at most 32 KiB.
      condition     = local.function_environment_bytes <= 32768
      error_message = "The functions' environment is ${local.function_environment_bytes} bytes; Cloud Run functions allow 32 KiB (32768 bytes) for all environment variable names and values together: shorten the configuration document or split the mirrors across two deployments."
    }
  }
}
