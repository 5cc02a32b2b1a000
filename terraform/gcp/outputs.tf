output "function_url" {
  description = "URL the members' notifier posts signed events to."
  value       = google_cloudfunctions2_function.http.url
}

output "events_topic" {
  description = "Pub/Sub topic of the event function: alerts and the schedule (publish {\"kind\":\"mirror-vip.reconcile\"} to reconcile now)."
  value       = google_pubsub_topic.events.id
}

output "function_service_account" {
  description = "The functions' identity: the only one allowed to move the VIP."
  value       = google_service_account.function.email
}

output "member_service_account" {
  description = "Service account for the database VMs (may only invoke the HTTP function), or null."
  value       = var.create_member_service_account ? google_service_account.member[0].email : null
}

output "key_secrets" {
  description = "Secret Manager secrets the functions read the member keys from; add versions out of band unless key_values is set."
  value       = { for k, s in local.secrets : k => "projects/${s.project}/secrets/${s.secret_id}" }
}

output "custom_role_permissions" {
  description = "The permissions of the custom roles, by where they are granted."
  value = {
    instance   = local.instance_permissions
    subnetwork = local.subnetwork_permissions
    project    = local.project_permissions
  }
}
