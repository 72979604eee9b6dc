package sightlinepiiprocessor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRules is the repository's one rules file; these tests run its examples and look-alikes.
var repoRules = filepath.Join("..", "..", "..", "pii", "rules.yaml")

func loadRepoRules(t testing.TB) *Rules {
	t.Helper()
	r, err := LoadRules(repoRules)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryRuleExample(t *testing.T) {
	r := loadRepoRules(t)
	for _, p := range r.patterns {
		examples := r.examples[p.name]
		if len(examples) == 0 {
			t.Errorf("rule %q has no example", p.name)
		}
		key := ""
		for k := range p.keys {
			key = k
		}
		for _, ex := range examples {
			got, _ := r.ScrubString(key, ex.In)
			if got != ex.Out {
				t.Errorf("rule %q: %q\n got %q\nwant %q", p.name, ex.In, got, ex.Out)
			}
			again, changed := r.ScrubString(key, got)
			if changed || again != got {
				t.Errorf("rule %q: not idempotent on %q: %q", p.name, got, again)
			}
		}
	}
}

func TestLookAlikesSurvive(t *testing.T) {
	r := loadRepoRules(t)
	if len(r.MustSurvive()) < 20 {
		t.Fatalf("only %d look-alikes", len(r.MustSurvive()))
	}
	for _, v := range r.MustSurvive() {
		for _, key := range []string{"", "message", "http.route", "order.id"} {
			if got, changed := r.ScrubString(key, v); changed {
				t.Errorf("look-alike %q (key %q) became %q", v, key, got)
			}
		}
		for _, enc := range []string{"note=" + strings.ReplaceAll(v, " ", "+"), "q=" + pathEscape(v)} {
			if got, changed := r.ScrubString("url.query", enc); changed {
				t.Errorf("encoded look-alike %q became %q", enc, got)
			}
		}
	}
}

func pathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

func TestPercentEncodedSecretsAreCaught(t *testing.T) {
	r := loadRepoRules(t)
	cases := map[string]string{
		"/invite?to=maria.gonzalez%40example.com&room=12":        "maria.gonzalez",
		"/invite?to=j.smith%2Bbilling%40corp.example.org":        "billing",
		"/search?q=call+%2B44+20+7946+0958+please":                "7946",
		"/nearby?lat%3D41.0082376%26lon%3D28.9783589":             "0082376",
		"next=%2Fcb%3Faccess_token%3Dk8Jd93mQpL0zXv7Rt2Yw":        "k8Jd93mQpL0zXv7Rt2Yw",
		"double=maria%2540example.com":                            "maria",
		"card=4111%201111%201111%201111":                          "1111 1111",
		"ip=203.0.113.195":                                        "113.195",
		"msg=SSN+123-45-6789+on+file":                             "6789",
	}
	for in, secret := range cases {
		got, _ := r.ScrubString("url.full", in)
		if strings.Contains(got, secret) || strings.Contains(got, pathEscape(secret)) {
			t.Errorf("%q -> %q still holds %q", in, got, secret)
		}
	}
}

func TestBadRulesFailNamingTheRule(t *testing.T) {
	base, err := os.ReadFile(repoRules)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ edit func(string) string; want string }{
		"bad regex": {func(s string) string {
			return strings.Replace(s, "pattern: 'eyJ[A-Za-z0-9_-]{5,}", "pattern: 'eyJ(A-Za-z0-9_-]{5,}", 1)
		}, `rule "jwt"`},
		"look-ahead": {func(s string) string {
			return strings.Replace(s, "pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b'", "pattern: '(?=x)\\d{3}'", 1)
		}, `rule "us-ssn"`},
		"missing group": {func(s string) string {
			return strings.Replace(s, "replace: '${1}.${2}.0.0/16'", "replace: '${1}.${3}.0.0/16'", 1)
		}, `rule "ipv4"`},
		"unknown validator": {func(s string) string {
			return strings.Replace(s, "    validate: luhn\n", "    validate: lunh\n", 1)
		}, `rule "card-number"`},
		"unknown field": {func(s string) string {
			return strings.Replace(s, "min_digits: 9\n", "min_digit: 9\n", 1)
		}, "min_digit"},
		"not yaml": {func(s string) string { return s + "\n  - [unclosed\n" }, "does not parse"},
	}
	for name, c := range cases {
		edited := c.edit(string(base))
		if edited == string(base) {
			t.Fatalf("%s: edit did not apply", name)
		}
		path := filepath.Join(t.TempDir(), "rules.yaml")
		if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadRules(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error naming %s, got %v", name, c.want, err)
		}
	}
}

func TestLuhnAndIban(t *testing.T) {
	for _, v := range []string{"4111111111111111", "378282246310005", "6011 0009 9013 9424"} {
		if !luhnValid(v) {
			t.Errorf("%s should pass Luhn", v)
		}
	}
	if luhnValid("4111111111111112") {
		t.Error("4111111111111112 passes Luhn")
	}
	if !ibanValid("GB82 WEST 1234 5698 7654 32") || ibanValid("GB82 WEST 1234 5698 7654 33") {
		t.Error("IBAN check wrong")
	}
}
