package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

func TestPresented(t *testing.T) {
	const tok = "cgm_tok_abc"
	basic := func(user, pass string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(user, pass) }
	}
	header := func(k, v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(k, v) }
	}
	everywhere := []auth.Where{auth.AtAPI, auth.AtComposer, auth.AtWebhook}
	for _, tc := range []struct {
		name  string
		query string
		set   func(*http.Request)
		where []auth.Where
		want  string
		// refused: UNAUTHORIZED instead of a secret.
		refused bool
	}{
		{name: "nothing", where: everywhere},
		{name: "bearer", set: header("Authorization", "Bearer "+tok), where: everywhere, want: tok},
		{name: "bearer lower case", set: header("Authorization", "bearer "+tok), where: everywhere, want: tok},
		{name: "bearer upper case", set: header("Authorization", "BEARER "+tok), where: everywhere, want: tok},
		{name: "bearer padded", set: header("Authorization", "Bearer   "+tok+" "), where: everywhere, want: tok},
		{name: "bearer empty", set: header("Authorization", "Bearer "), where: everywhere, refused: true},
		{name: "basic user token", set: basic("token", tok), where: everywhere, want: tok},
		{name: "basic lower-case scheme", set: header("Authorization", "basic dG9rZW46Y2dtX3Rva19hYmM="), where: everywhere, want: tok},
		{name: "basic another user", set: basic("alice", tok), where: everywhere, refused: true},
		{name: "basic empty password", set: basic("token", ""), where: everywhere, refused: true},
		{name: "other scheme", set: header("Authorization", "Digest x"), where: everywhere, refused: true},
		{name: "X-Api-Key", set: header("X-Api-Key", tok), where: everywhere, want: tok},
		{name: "Authorization before X-Api-Key", set: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer first")
			r.Header.Set("X-Api-Key", "second")
		}, where: everywhere, want: "first"},
		{name: "query token at webhooks", query: "?token=" + tok, where: []auth.Where{auth.AtWebhook}, want: tok},
		{name: "query token elsewhere ignored", query: "?token=" + tok, where: []auth.Where{auth.AtAPI, auth.AtComposer}},
		{name: "bearer before query token", query: "?token=other", set: header("Authorization", "Bearer "+tok), where: []auth.Where{auth.AtWebhook}, want: tok},
		{name: "X-Gitlab-Token customer token at webhooks", set: header("X-Gitlab-Token", tok), where: []auth.Where{auth.AtWebhook}, want: tok},
		{name: "X-Gitlab-Token webhook secret is not a credential", set: header("X-Gitlab-Token", "s3cret"), where: []auth.Where{auth.AtWebhook}},
		{name: "X-Gitlab-Token elsewhere ignored", set: header("X-Gitlab-Token", tok), where: []auth.Where{auth.AtAPI, auth.AtComposer}},
	} {
		for _, where := range tc.where {
			t.Run(tc.name+"/"+whereName(where), func(t *testing.T) {
				r := httptest.NewRequest(http.MethodGet, "/x"+tc.query, nil)
				if tc.set != nil {
					tc.set(r)
				}
				got, err := auth.Presented(r, where)
				if tc.refused {
					if e, ok := apperr.As(err); !ok || e.Code != apperr.Unauthorized {
						t.Fatalf("got %q, %v; want UNAUTHORIZED", got, err)
					}
					return
				}
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
			})
		}
	}
}

func whereName(w auth.Where) string {
	switch w {
	case auth.AtAPI:
		return "api"
	case auth.AtComposer:
		return "composer"
	case auth.AtWebhook:
		return "webhook"
	}
	return "?"
}
