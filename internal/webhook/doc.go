// Package webhook verifies and reads the webhook deliveries that GitHub,
// GitLab and Bitbucket send when a repository changes, so the HTTP handlers can
// decide which packages to sync. It does no I/O and keeps no state.
//
// A handler typically:
//
//  1. reads the raw body within its limit (internal/bodylimit.Webhook; the
//     signature covers the exact raw bytes, so the body must not be
//     re-encoded);
//  2. calls Parse to learn the event, the delivery ID and the repository URLs,
//     which tell it which packages, and so which secrets, may apply;
//  3. calls Verify with those packages' secrets (and the global one);
//  4. acts on the Delivery (ShouldSync, Refs, MatchesRepository) only when
//     Verify succeeded. Everything Parse returns is attacker-controlled until
//     then.
//
// Provider facts (headers, signature formats, payload shapes) follow the
// providers' documentation: GitHub "Webhook events and payloads" and
// "Validating webhook deliveries", GitLab "Webhook events" and "Webhooks"
// (delivery headers), Bitbucket Cloud "Event payloads" and "Manage webhooks"
// (secure webhooks), and Bitbucket Data Center "Event payload".
package webhook
