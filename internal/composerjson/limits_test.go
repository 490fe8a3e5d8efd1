package composerjson

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestWorstCaseInputsAreFast feeds near-MaxSize documents shaped to hit each
// loop, so that a hostile upload cannot cost more than a moment of CPU.
func TestWorstCaseInputsAreFast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and checks 1 MiB documents")
	}
	fill := func(item func(i int) string, sep string) string {
		var b strings.Builder
		for i := 0; b.Len() < MaxSize-200; i++ {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(item(i))
		}
		return b.String()
	}
	cases := map[string]string{
		"many duplicate keys": "{" + fill(func(i int) string { return fmt.Sprintf(`"k%d":1,"k%d":2`, i, i) }, ",") + "}",
		"many keys":           "{" + fill(func(i int) string { return fmt.Sprintf(`"k%d":1`, i) }, ",") + "}",
		"many requires":       `{"name":"a/b","require":{` + fill(func(i int) string { return fmt.Sprintf(`"v/p%d":"^1"`, i) }, ",") + `}}`,
		"require overlaps": `{"require":{` + fill(func(i int) string { return fmt.Sprintf(`"v/p%d":"1"`, i) }, ",") + `},"require-dev":{` +
			strings.Repeat(`"v/p1":"1",`, 10) + `"v/p2":"1"}}`,
		"many authors":         `{"authors":[` + fill(func(int) string { return `{"name":"x","email":"bad@","homepage":"x"}` }, ",") + `]}`,
		"long license":         `{"license":"` + fill(func(int) string { return "MIT" }, " OR ") + `"}`,
		"deep license":         `{"license":"` + strings.Repeat("(", MaxSize-100) + `"}`,
		"many licenses":        `{"license":[` + fill(func(int) string { return `"GPL-2.0+"` }, ",") + `]}`,
		"many keywords":        `{"keywords":[` + fill(func(int) string { return `"bad!"` }, ",") + `]}`,
		"many psr-4":           `{"autoload":{"psr-4":{` + fill(func(i int) string { return fmt.Sprintf(`"N%d":["a","b"]`, i) }, ",") + `}}}`,
		"many files":           `{"autoload":{"files":[` + fill(func(int) string { return `"../x"` }, ",") + `]}}`,
		"long name":            `{"name":"` + strings.Repeat("a-", MaxSize/2-20) + `/b"}`,
		"long email":           `{"authors":[{"name":"x","email":"` + strings.Repeat("a.", MaxSize/2-40) + `@x.y"}]}`,
		"many branch aliases":  `{"extra":{"branch-alias":{` + fill(func(i int) string { return fmt.Sprintf(`"dev-%d":"1.x"`, i) }, ",") + `}}}`,
		"max depth everywhere": `{"extra":[` + fill(func(int) string { return strings.Repeat("[", MaxDepth-3) + strings.Repeat("]", MaxDepth-3) }, ",") + `]}`,
		"long string escapes":  `{"description":"` + strings.Repeat(`\u00e9`, MaxSize/6-10) + `"}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if len(doc) > MaxSize {
				t.Fatalf("test document is %d bytes", len(doc))
			}
			start := time.Now()
			m, err := Parse([]byte(doc))
			if err == nil {
				Validate(m, ValidateOptions{CheckConstraint: func(string) error { return nil }, PathExists: func(string) bool { return false }})
				m.MetadataFields()
			}
			// Generous: a quadratic loop over 1 MiB would take hours, so this
			// still catches one on a loaded machine without flaking.
			limit := 10 * time.Second
			if raceEnabled {
				limit *= 10
			}
			if d := time.Since(start); d > limit {
				t.Errorf("took %v, more than %v", d, limit)
			}
		})
	}
}
