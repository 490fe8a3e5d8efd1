package composerjson

import (
	"encoding/json"
	"slices"
)

// authorKeys are the properties composer-schema.json allows in an author.
var authorKeys = []string{"name", "email", "homepage", "role"}

// checkAuthors follows ValidatingArrayLoader: wrong types are errors, bad
// e-mails and URLs are warnings (Composer drops them), and the schema's
// "name is required, nothing else allowed" is a warning.
func (c *checker) checkAuthors() {
	c.eachEntry("authors", func(field string, entry map[string]json.RawMessage) {
		props := c.stringProps(field, entry, authorKeys)
		if props["name"] == "" {
			c.warnf(field+".name", "missing; every author needs a name")
		}
		if h := props["homepage"]; h != "" && !validURL(h, "http", "https") {
			c.warnf(field+".homepage", "invalid value %q; must be an http or https URL", h)
		}
		if e := props["email"]; e != "" && !validEmail(e) {
			c.warnf(field+".email", "invalid value %q; must be a valid e-mail address", e)
		}
		for _, k := range sortedKeys(entry) {
			if !slices.Contains(authorKeys, k) {
				c.warnf(field+"."+k, "unknown author property; use name, email, homepage or role")
			}
		}
	})
}

// supportURLKeys are the support channels that must be http(s) URLs.
var supportURLKeys = []string{"issues", "forum", "wiki", "source", "docs", "chat", "security"}

func (c *checker) checkSupport() {
	raw, ok := c.m.present("support")
	if !ok {
		return
	}
	support, _ := decodeObject(raw)
	props := c.stringProps("support", support,
		[]string{"issues", "forum", "wiki", "source", "email", "irc", "docs", "rss", "chat", "security"})
	if e := props["email"]; e != "" && !validEmail(e) {
		c.warnf("support.email", "invalid value %q; must be a valid e-mail address", e)
	}
	if irc := props["irc"]; irc != "" && !validURL(irc, "irc", "ircs") {
		c.warnf("support.irc", "invalid value %q; must be an irc://<server>/<channel> or ircs:// URL", irc)
	}
	for _, k := range supportURLKeys {
		if u := props[k]; u != "" && !validURL(u, "http", "https") {
			c.warnf("support."+k, "invalid value %q; must be an http or https URL", u)
		}
	}
}

func (c *checker) checkFunding() {
	c.eachEntry("funding", func(field string, entry map[string]json.RawMessage) {
		props := c.stringProps(field, entry, []string{"type", "url"})
		if u := props["url"]; u != "" && !validURL(u, "http", "https") {
			c.warnf(field+".url", "invalid value %q; must be an http or https URL", u)
		}
	})
}

// eachEntry calls fn for every object in the list field key, reporting
// entries that are not objects.
func (c *checker) eachEntry(key string, fn func(field string, entry map[string]json.RawMessage)) {
	raw, ok := c.m.present(key)
	if !ok || isEmptyContainer(raw) {
		return
	}
	var entries []json.RawMessage
	if json.Unmarshal(raw, &entries) != nil {
		return // Parse guarantees an array
	}
	for i, e := range entries {
		field := indexField(key, i)
		if kindOf(e) != kindObject {
			c.errorf(field, "must be an object, found %s", describe(e))
			continue
		}
		entry, _ := decodeObject(e)
		fn(field, entry)
	}
}

// stringProps reads the given properties of an object, reporting non-string
// values as errors; absent, null and wrong-typed properties map to "".
func (c *checker) stringProps(field string, obj map[string]json.RawMessage, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		raw, ok := obj[k]
		if !ok || kindOf(raw) == kindNull {
			continue
		}
		s, problem := decodeString(raw)
		if problem != "" {
			c.errorf(field+"."+k, "must be a string, %s", problem)
			continue
		}
		out[k] = s
	}
	return out
}
