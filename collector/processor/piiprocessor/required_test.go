package sightlinepiiprocessor

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// requiredCorpus: every rule's examples, the must-survive values and the fuzz seeds, raw and with
// case changed (the (?i) rules match case-insensitively, so must the pre-check).
func requiredCorpus(t testing.TB, r *Rules) []string {
	var corpus []string
	for _, p := range r.patterns {
		for _, ex := range r.examples[p.name] {
			corpus = append(corpus, ex.In)
		}
	}
	corpus = append(corpus, r.MustSurvive()...)
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, seed := range seeds {
		b, err := os.ReadFile(seed)
		if err != nil {
			t.Fatal(err)
		}
		corpus = append(corpus, string(b))
	}
	corpus = append(corpus,
		"tO\u212aEN=abcdef",    // Kelvin sign: folds to k under (?i)
		"\u017fsn 123-45-6789", // long s: folds to s
		"Set-Cookie: a=b", "PASSWORD: 'x'", `{\"password\":\"hunter2\"}`,
	)
	n := len(corpus)
	for _, s := range corpus[:n] {
		corpus = append(corpus, strings.ToUpper(s), strings.ToLower(s))
	}
	return corpus
}

// The pre-check never skips a value the rule's regex matches.
func TestRequiredSetsNeverSkipAMatch(t *testing.T) {
	r := loadRepoRules(t)
	corpus := requiredCorpus(t, r)
	skipped := 0
	for _, p := range r.patterns {
		for _, s := range corpus {
			if p.mayMatch(s) {
				continue
			}
			skipped++
			if p.re.MatchString(s) {
				t.Errorf("rule %s: pre-check %q skips %q, which the regex matches", p.name, p.required, s)
			}
		}
	}
	if skipped == 0 {
		t.Fatal("the pre-check skipped nothing: the test proves nothing")
	}
}

func TestRequiredSets(t *testing.T) {
	sorted := func(set string) string {
		r := []rune(set)
		sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
		return string(r)
	}
	cases := map[string][]string{
		`(?i)token\s*[:=]`: {":="}, // the class after the key word
		`a@b`:              {"@", "a", "b"},
		`(?i)k`:            {"kK\u212a"}, // every case fold, not only ASCII
		`x|y?`:             nil,          // one alternative needs nothing
		`[^a]+`:            nil,          // a negated class is no useful set
		`(?:ab|cd)e`:       {"e", "ac"},
	}
	for src, want := range cases {
		got := map[string]bool{}
		for _, set := range requiredSets(src) {
			got[sorted(set)] = true
		}
		if want == nil && len(got) > 0 {
			t.Errorf("requiredSets(%q) = %v, want none", src, got)
		}
		for _, set := range want {
			if !got[sorted(set)] {
				t.Errorf("requiredSets(%q) = %v, want it to hold %q", src, got, set)
			}
		}
	}
}

// FuzzRequiredSets: for every rule, a value the regex matches always passes the pre-check.
func FuzzRequiredSets(f *testing.F) {
	r := loadRepoRules(f)
	for _, s := range requiredCorpus(f, r) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range r.patterns {
			if !p.mayMatch(in) && p.re.MatchString(in) {
				t.Fatalf("rule %s: pre-check %q skips %q, which the regex matches", p.name, p.required, in)
			}
		}
	})
}
