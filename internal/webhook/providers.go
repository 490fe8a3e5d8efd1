package webhook

import (
	"net/http"
	"strings"
)

// parseGitHub reads a GitHub delivery. Payload shapes: "Webhook events and
// payloads" (push, create, delete, release, ping).
func parseGitHub(d *Delivery, header http.Header, body []byte) error {
	var err error
	if d.Event, err = eventHeader(header, "X-GitHub-Event"); err != nil {
		return err
	}
	if d.ID, err = idHeader(header, "X-GitHub-Delivery"); err != nil {
		return err
	}
	if d.HookID, err = idHeader(header, "X-GitHub-Hook-ID"); err != nil {
		return err
	}
	if body, err = githubFormPayload(header, body); err != nil {
		return err
	}
	p, err := decodeObject(GitHub, body)
	if err != nil {
		return err
	}

	var urls list
	// "url" is left out: outside push events it is the API URL.
	if repo := p.obj("repository"); repo != nil {
		urls.addURLs(repo.str("html_url"), repo.str("clone_url"), repo.str("ssh_url"),
			repo.str("git_url"), repo.str("svn_url"))
	}
	d.RepositoryURLs = urls.items

	var refs list
	switch d.Event {
	case "ping":
		d.Ping = true
	case "push":
		d.Push, d.sync = true, true
		refs.add(fullRef("", p.str("ref")))
		d.setHead(fullRef("", p.str("ref")), p.str("after"))
	case "create", "delete":
		// ref is the short name here; ref_type says which kind.
		kind := p.str("ref_type")
		if kind == "tag" || kind == "branch" {
			d.sync = true
			refs.add(fullRef(kind, p.str("ref")))
		}
	case "release":
		// "published" covers releases and pre-releases; "released" is a
		// pre-release or draft turned into a release. Drafts have no tag yet.
		switch p.str("action") {
		case "published", "released", "prereleased":
			if rel := p.obj("release"); rel != nil && !rel.boolean("draft") {
				d.sync = true
				refs.add(fullRef("tag", rel.str("tag_name")))
			}
		}
	}
	d.Refs = refs.items
	return nil
}

// parseGitLab reads a GitLab delivery. Payload shapes: "Webhook events" (push,
// tag push) and "System hooks" (push, tag_push, repository_update).
func parseGitLab(d *Delivery, header http.Header, body []byte) error {
	var err error
	if d.Event, err = eventHeader(header, "X-Gitlab-Event"); err != nil {
		return err
	}
	// Idempotency-Key (GitLab 17.4+) stays the same across retries, which
	// is what de-duplication needs; older versions only send the UUIDs.
	if d.ID, err = idHeader(header, "Idempotency-Key", "X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID"); err != nil {
		return err
	}
	p, err := decodeObject(GitLab, body)
	if err != nil {
		return err
	}

	var urls list
	if project := p.obj("project"); project != nil {
		urls.addURLs(project.str("web_url"), project.str("git_http_url"), project.str("git_ssh_url"),
			project.str("http_url"), project.str("ssh_url"), project.str("url"), project.str("homepage"))
	}
	if repo := p.obj("repository"); repo != nil {
		urls.addURLs(repo.str("homepage"), repo.str("git_http_url"), repo.str("git_ssh_url"), repo.str("url"))
	}
	d.RepositoryURLs = urls.items

	kind := d.Event
	if d.Event == "System Hook" {
		// System hooks carry every event under one header; the body says
		// which. repository_update is sent for pushes too.
		kind = p.str("event_name")
		if kind == "" {
			kind = p.str("object_kind")
		}
	}
	var refs list
	switch kind {
	case "Push Hook", "Tag Push Hook", "push", "tag_push", "repository_update":
		d.Push, d.sync = true, true
		refs.add(fullRef("", p.str("ref")))
		d.setHead(fullRef("", p.str("ref")), p.str("after"))
		for _, c := range p.objs("changes") {
			refs.add(fullRef("", c.str("ref")))
			d.setHead(fullRef("", c.str("ref")), c.str("after"))
		}
		for _, r := range p.strs("refs") {
			refs.add(fullRef("", r))
		}
	}
	d.Refs = refs.items
	return nil
}

// parseBitbucket reads a Bitbucket Cloud or Data Center delivery. Payload
// shapes: Bitbucket Cloud "Event payloads" (repo:push) and Bitbucket Data
// Center "Event payload" (repo:refs_changed, diagnostics:ping).
func parseBitbucket(d *Delivery, header http.Header, body []byte) error {
	var err error
	if d.Event, err = eventHeader(header, "X-Event-Key"); err != nil {
		return err
	}
	// X-Hook-UUID names the webhook, not the delivery: it is the same for
	// every call, so it would make every later delivery look like a replay.
	if d.ID, err = idHeader(header, "X-Request-UUID", "X-Request-Id"); err != nil {
		return err
	}
	if d.HookID, err = idHeader(header, "X-Hook-UUID"); err != nil {
		return err
	}
	p, err := decodeObject(Bitbucket, body)
	if err != nil {
		return err
	}

	var urls list
	if repo := p.obj("repository"); repo != nil {
		links := repo.obj("links")
		if links != nil {
			// Cloud: {"html": {"href": ...}}; Data Center: {"clone":
			// [{"href": ..., "name": "http"}], "self": [{"href": ...}]}.
			urls.addURLs(links.obj("html").str("href"))
			for _, c := range links.objs("clone") {
				urls.addURLs(c.str("href"))
			}
			for _, s := range links.objs("self") {
				urls.addURLs(s.str("href"))
			}
		}
		// Cloud only: full_name is "workspace/slug" on bitbucket.org.
		if full := repo.str("full_name"); validFullName(full) {
			urls.addURLs("https://bitbucket.org/"+full, "git@bitbucket.org:"+full+".git")
		}
	}
	d.RepositoryURLs = urls.items

	var refs list
	switch d.Event {
	case "diagnostics:ping":
		d.Ping = true
	case "repo:push":
		d.Push, d.sync = true, true
		for _, c := range p.obj("push").objs("changes") {
			// new is null for a deleted ref, old for a created one.
			for _, side := range []string{"new", "old"} {
				if ref := c.obj(side); ref != nil {
					full := fullRef(ref.str("type"), ref.str("name"))
					refs.add(full)
					if side == "new" {
						d.setHead(full, ref.obj("target").str("hash"))
					} else {
						d.setHead(full, ZeroCommit)
					}
					break
				}
			}
		}
	case "repo:refs_changed", "mirror:repo_synchronized":
		d.Push, d.sync = d.Event == "repo:refs_changed", true
		for _, c := range p.objs("changes") {
			id := c.obj("ref").str("id")
			if id == "" {
				id = c.str("refId")
			}
			refs.add(fullRef("", id))
			d.setHead(fullRef("", id), c.str("toHash"))
		}
	}
	d.Refs = refs.items
	return nil
}

// validFullName accepts "workspace/repo" made of Bitbucket's slug characters,
// so a derived URL cannot be steered somewhere odd.
func validFullName(s string) bool {
	owner, repo, ok := strings.Cut(s, "/")
	return ok && slug(owner) && slug(repo)
}

func slug(s string) bool {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
