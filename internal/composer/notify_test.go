package composer_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/composer"
	"github.com/cargoman/cargoman/internal/validate"
)

func TestParseNotifyBatch(t *testing.T) {
	cases := []struct {
		name, body string
		want       []composer.Download
		ok         bool
	}{
		{"composer's body", `{"downloads":[{"name":"Acme/Lib","version":"1.2.0.0"},{"name":"acme/other","version":"dev-main"}]}`,
			[]composer.Download{{"acme/lib", "1.2.0.0"}, {"acme/other", "dev-main"}}, true},
		{"no downloads", `{"downloads":[]}`, []composer.Download{}, true},
		{"extra keys", `{"downloads":[{"name":"a/b","version":"1.0.0.0","downloaded":true}],"x":1}`, []composer.Download{{"a/b", "1.0.0.0"}}, true},
		{"missing downloads", `{}`, nil, false},
		{"null downloads", `{"downloads":null}`, nil, false},
		{"not JSON", `downloads=a/b`, nil, false},
		{"invalid name", `{"downloads":[{"name":"nope","version":"1.0.0.0"}]}`, nil, false},
		{"empty version", `{"downloads":[{"name":"a/b","version":" "}]}`, nil, false},
		{"wrong type", `{"downloads":[{"name":1,"version":"1"}]}`, nil, false},
	}
	for _, c := range cases {
		got, err := composer.ParseNotifyBatch([]byte(c.body))
		if c.ok != (err == nil) || (c.ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%s: %+v, %v", c.name, got, err)
		}
		var e *apperr.Error
		if err != nil && (!errors.As(err, &e) || e.Code != apperr.Validation || e.Field != "downloads") {
			t.Errorf("%s: error %v is not a VALIDATION_ERROR on downloads", c.name, err)
		}
	}
}

// FuzzParseNotifyBatch: any body either fails with VALIDATION_ERROR or
// gives entries with valid lower-case names and versions, which read back
// the same once written out again.
func FuzzParseNotifyBatch(f *testing.F) {
	f.Add(`{"downloads":[{"name":"acme/lib","version":"1.2.0.0"}]}`)
	f.Add(`{"downloads":[{"name":"A/B","version":" dev-main "}]}`)
	f.Add(`{"downloads":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		got, err := composer.ParseNotifyBatch([]byte(body))
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Validation {
				t.Fatalf("error %v is not a VALIDATION_ERROR", err)
			}
			return
		}
		for _, d := range got {
			if validate.PackageName(d.Name) != nil || d.Name != strings.ToLower(d.Name) || strings.TrimSpace(d.Version) != d.Version || d.Version == "" {
				t.Fatalf("accepted %+v", d)
			}
		}
		again, _ := json.Marshal(map[string]any{"downloads": got})
		back, err := composer.ParseNotifyBatch(again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("round trip of %s: %+v, %v", again, back, err)
		}
	})
}
