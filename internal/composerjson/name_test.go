package composerjson

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	valid := []string{
		"a/b", "acme/widget", "0/0", "acme-corp/widget", "acme_corp/widget", "acme.corp/widget",
		"a1.b2-c3_d4/e", "acme/widget--extra", "acme/widget-extra", "acme/widget_extra",
		"acme/widget.extra", "symfony/polyfill-php80", "composer/composer", "a-b-c/d--e--f",
		"comx/con1", "nul1/x", "acme/jsonx", "acme/json",
	}
	for _, n := range valid {
		if !ValidName(n) {
			t.Errorf("ValidName(%q) = false", n)
		}
		if err := CheckName(n); err != nil {
			t.Errorf("CheckName(%q) = %v", n, err)
		}
	}
	invalid := map[string]string{
		"":                    "package name is empty",
		"widget":              "must be a vendor name, a forward slash and a package name",
		"a/b/c":               "exactly one forward slash",
		"/widget":             "vendor name is empty",
		"acme/":               "package name is empty",
		"-acme/widget":        `vendor name "-acme" must start and end with a letter or digit`,
		"acme-/widget":        "must start and end",
		"acme/widget-":        `package name "widget-" must start and end`,
		"acme/.widget":        "must start and end",
		"ac--me/widget":       `vendor name "ac--me" has the separator "--"`,
		"ac._me/widget":       `has the separator "._"`,
		"acme/wid---get":      `package name "wid---get" has the separator "---"`,
		"acme/wid_-get":       `has the separator "_-"`,
		"acme/wid__get":       `has the separator "__"`,
		"acme/wid get":        `contains ' '`,
		"acme/wid@get":        `contains '@'`,
		"acmé/widget":         `contains 'é'`,
		"acme/widget\n":       `contains '\n'`,
		"Acme/Widget":         `must not contain uppercase characters; use "acme/widget"`,
		"acme/FooBar":         `use "acme/foo-bar"`,
		"acme/HTTPClient":     `use "acme/http-client"`,
		"con/widget":          `"con/widget" is reserved`,
		"acme/nul":            "is reserved",
		"acme/LPT1":           "is reserved",
		"acme/widget.json":    "cannot end in .json",
		"acme/widget.JSON":    "cannot end in .json",
		"acme\\widget":        "must be a vendor name",
		"acme/widget/":        "exactly one forward slash",
		"acme//widget":        "exactly one forward slash",
		"php":                 "must be a vendor name",
		"acme/\u212aelvin":    "contains",
		"acme/widget\x00":     "contains",
		"acme/wid\xffget":     "contains",
		"a/" + "_b":           "must start and end",
		"acme/widget--extra-": "must start and end",
	}
	for n, want := range invalid {
		if ValidName(n) {
			t.Errorf("ValidName(%q) = true", n)
		}
		err := CheckName(n)
		if err == nil {
			t.Errorf("CheckName(%q) = nil", n)
			continue
		}
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("CheckName(%q) does not wrap ErrInvalidName", n)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckName(%q) = %q, want it to contain %q", n, err, want)
		}
	}
}

func TestIsPlatformPackage(t *testing.T) {
	for n, want := range map[string]bool{
		"php": true, "PHP": true, "php-64bit": true, "php-zts": true, "php-debug": true, "php-ipv6": true,
		"hhvm": true, "ext-json": true, "ext-pdo_mysql": true, "lib-curl": true, "lib-icu-uc": true,
		"composer": true, "composer-plugin-api": true, "composer-runtime-api": true,
		"php-foo": false, "ext-": false, "acme/widget": false, "ext-a/b": false, "phpx": false,
	} {
		if got := IsPlatformPackage(n); got != want {
			t.Errorf("IsPlatformPackage(%q) = %v, want %v", n, got, want)
		}
	}
}
