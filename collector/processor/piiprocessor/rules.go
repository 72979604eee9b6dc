package sightlinepiiprocessor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// ruleFile is pii/rules.yaml as written; pii/README.md documents every field.
type ruleFile struct {
	Version int `yaml:"version"`
	Limits  struct {
		MaxDepth        int    `yaml:"max_depth"`
		MaxStringBytes  int    `yaml:"max_string_bytes"`
		DepthMarker     string `yaml:"depth_marker"`
		TruncatedMarker string `yaml:"truncated_marker"`
	} `yaml:"limits"`
	Decode struct {
		Percent     bool `yaml:"percent"`
		PlusAsSpace bool `yaml:"plus_as_space"`
		MaxRounds   int  `yaml:"max_rounds"`
	} `yaml:"decode"`
	Keys struct {
		Drop []struct {
			Name    string `yaml:"name"`
			Pattern string `yaml:"pattern"`
		} `yaml:"drop"`
		Headers struct {
			Prefixes []string `yaml:"prefixes"`
			MapKeys  []string `yaml:"map_keys"`
			Allow    []string `yaml:"allow"`
		} `yaml:"headers"`
	} `yaml:"keys"`
	Numbers []struct {
		Name       string `yaml:"name"`
		KeyPattern string `yaml:"key_pattern"`
		Decimals   int    `yaml:"decimals"`
	} `yaml:"numbers"`
	Patterns    []patternSpec `yaml:"patterns"`
	MustSurvive []string      `yaml:"must_survive"`
}

type patternSpec struct {
	Name       string    `yaml:"name"`
	Pattern    string    `yaml:"pattern"`
	Flags      string    `yaml:"flags"`
	Replace    string    `yaml:"replace"`
	Hints      []string  `yaml:"hints"`
	MinDigits  int       `yaml:"min_digits"`
	Keys       []string  `yaml:"keys"`
	Validate   string    `yaml:"validate"`
	WholeValue bool      `yaml:"whole_value"`
	Examples   []example `yaml:"examples"`
}

type example struct {
	In  string `yaml:"in"`
	Out string `yaml:"out"`
}

type pattern struct {
	name      string
	re        *regexp.Regexp
	replace   string
	hints     []string
	fold      bool
	minDigits int
	keys      map[string]bool
	validate  func(string) bool
	// required: sets of characters every match contains one of (required.go); a value lacking
	// one set cannot match, so the regex is skipped.
	required []string
}

type numberRule struct {
	name  string
	key   *regexp.Regexp
	scale float64
}

// maxKeyCache bounds the per-Rules cache of key decisions: keys repeat (attribute names), but a
// client could send unbounded distinct keys, so past this size decisions are computed uncached.
const maxKeyCache = 8192

// Rules is a compiled rule set. It is safe for concurrent use and holds no per-call state.
type Rules struct {
	maxDepth        int
	maxStringBytes  int
	depthMarker     string
	truncatedMarker string
	decodePercent   bool
	plusAsSpace     bool
	maxRounds       int
	dropKey         []*regexp.Regexp
	headerPrefixes  []string
	headerMapKeys   map[string]bool
	headerAllow     map[string]bool
	numbers         []numberRule
	patterns        []pattern
	mustSurvive     []string
	examples        map[string][]example

	keyCache     sync.Map // key -> keyDecision
	keyCacheSize atomic.Int64
	scopedKeys   map[string]bool          // keys some pattern is limited to (their values are never cached)
	clean        atomic.Pointer[cleanSet] // short values known to need nothing
}

// Short values known clean: a repeated route, method or user agent costs one lookup. Only values
// that held nothing to redact are kept; the set starts over when full, so memory stays bounded.
const (
	maxCleanCache  = 4096
	maxCleanLength = 256
)

type cleanSet struct {
	values sync.Map
	size   atomic.Int64
}

type keyDecision uint8

const (
	keyKeep keyDecision = iota + 1
	keyDrop
)

// LoadRules reads and compiles a rules file. Every error names the file and the rule.
func LoadRules(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pii rules: %w", err)
	}
	rules, err := ParseRules(data)
	if err != nil {
		return nil, fmt.Errorf("pii rules %s: %w", path, err)
	}
	return rules, nil
}

// ParseRules compiles rules from YAML; unknown fields are errors, so a typo never silently
// turns a rule off.
func ParseRules(data []byte) (*Rules, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("does not parse: %w", err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("version: want 1, got %d", f.Version)
	}
	r := &Rules{
		maxDepth:        f.Limits.MaxDepth,
		maxStringBytes:  f.Limits.MaxStringBytes,
		depthMarker:     f.Limits.DepthMarker,
		truncatedMarker: f.Limits.TruncatedMarker,
		decodePercent:   f.Decode.Percent,
		plusAsSpace:     f.Decode.PlusAsSpace,
		maxRounds:       f.Decode.MaxRounds,
		headerMapKeys:   map[string]bool{},
		headerAllow:     map[string]bool{},
		mustSurvive:     f.MustSurvive,
		examples:        map[string][]example{},
		scopedKeys:      map[string]bool{},
	}
	r.clean.Store(&cleanSet{})
	if r.maxDepth < 1 || r.maxDepth > 1000 {
		return nil, fmt.Errorf("limits.max_depth: want 1..1000, got %d", r.maxDepth)
	}
	if r.maxStringBytes < 1024 {
		return nil, fmt.Errorf("limits.max_string_bytes: want at least 1024, got %d", r.maxStringBytes)
	}
	if r.maxRounds < 0 || r.maxRounds > 4 {
		return nil, fmt.Errorf("decode.max_rounds: want 0..4, got %d", r.maxRounds)
	}
	for i, d := range f.Keys.Drop {
		if d.Name == "" {
			return nil, fmt.Errorf("keys.drop[%d]: name is required", i)
		}
		re, err := regexp.Compile("(?i)" + d.Pattern)
		if err != nil {
			return nil, fmt.Errorf("keys.drop rule %q: %w", d.Name, err)
		}
		r.dropKey = append(r.dropKey, re)
	}
	for _, p := range f.Keys.Headers.Prefixes {
		r.headerPrefixes = append(r.headerPrefixes, strings.ToLower(p))
	}
	for _, k := range f.Keys.Headers.MapKeys {
		r.headerMapKeys[strings.ToLower(k)] = true
	}
	for _, h := range f.Keys.Headers.Allow {
		r.headerAllow[strings.ToLower(h)] = true
	}
	for i, n := range f.Numbers {
		if n.Name == "" {
			return nil, fmt.Errorf("numbers[%d]: name is required", i)
		}
		re, err := regexp.Compile("(?i)" + n.KeyPattern)
		if err != nil {
			return nil, fmt.Errorf("numbers rule %q: key_pattern: %w", n.Name, err)
		}
		if n.Decimals < 0 || n.Decimals > 6 {
			return nil, fmt.Errorf("numbers rule %q: decimals: want 0..6, got %d", n.Name, n.Decimals)
		}
		scale := 1.0
		for range n.Decimals {
			scale *= 10
		}
		r.numbers = append(r.numbers, numberRule{name: n.Name, key: re, scale: scale})
	}
	seen := map[string]bool{}
	for i, s := range f.Patterns {
		p, err := compilePattern(s)
		if err != nil {
			if s.Name == "" {
				return nil, fmt.Errorf("patterns[%d]: %w", i, err)
			}
			return nil, fmt.Errorf("patterns rule %q: %w", s.Name, err)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("patterns rule %q: duplicate name", s.Name)
		}
		seen[s.Name] = true
		r.patterns = append(r.patterns, p)
		for k := range p.keys {
			r.scopedKeys[k] = true
		}
		r.examples[s.Name] = s.Examples
	}
	return r, nil
}

func compilePattern(s patternSpec) (pattern, error) {
	if s.Name == "" {
		return pattern{}, errors.New("name is required")
	}
	if s.Pattern == "" {
		return pattern{}, errors.New("pattern is required")
	}
	p := pattern{name: s.Name, replace: s.Replace, minDigits: s.MinDigits}
	src := s.Pattern
	switch s.Flags {
	case "":
	case "i":
		p.fold = true
		src = "(?i)" + src
	default:
		return pattern{}, fmt.Errorf("flags: only \"i\" is supported, got %q", s.Flags)
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return pattern{}, fmt.Errorf("pattern: %w", err)
	}
	p.re = re
	p.required = requiredSets(src)
	if err := checkTemplate(s.Replace, re.NumSubexp()); err != nil {
		return pattern{}, err
	}
	for _, h := range s.Hints {
		if p.fold {
			h = strings.ToLower(h)
		}
		p.hints = append(p.hints, h)
	}
	if len(s.Keys) > 0 {
		p.keys = map[string]bool{}
		for _, k := range s.Keys {
			p.keys[k] = true
		}
	}
	switch s.Validate {
	case "":
	case "luhn":
		p.validate = luhnValid
	case "iban":
		p.validate = ibanValid
	default:
		return pattern{}, fmt.Errorf("validate: want luhn or iban, got %q", s.Validate)
	}
	return p, nil
}

var templateGroup = regexp.MustCompile(`\$\{(\d+)\}|\$`)

// checkTemplate accepts only ${N} group references (the form both Go and the SDK expand) and
// rejects references to groups the pattern does not have.
func checkTemplate(tpl string, groups int) error {
	for _, m := range templateGroup.FindAllStringSubmatch(tpl, -1) {
		if m[1] == "" {
			return errors.New("replace: a bare $ is not allowed, use ${N} for group N")
		}
		var n int
		fmt.Sscanf(m[1], "%d", &n)
		if n > groups {
			return fmt.Errorf("replace: ${%d} but the pattern has %d groups", n, groups)
		}
	}
	return nil
}

// MustSurvive is the rules file's list of look-alikes that must pass unchanged.
func (r *Rules) MustSurvive() []string { return r.mustSurvive }

// shouldDropKey says whether a map entry with this key is removed (secret key, or a header that is not
// on the allow list). Decisions are cached up to maxKeyCache keys.
func (r *Rules) shouldDropKey(key string) bool {
	if d, ok := r.keyCache.Load(key); ok {
		return d.(keyDecision) == keyDrop
	}
	drop := r.computeDropKey(key)
	if r.keyCacheSize.Load() < maxKeyCache {
		decision := keyKeep
		if drop {
			decision = keyDrop
		}
		if _, loaded := r.keyCache.LoadOrStore(key, decision); !loaded {
			r.keyCacheSize.Add(1)
		}
	}
	return drop
}

func (r *Rules) computeDropKey(key string) bool {
	lower := strings.ToLower(key)
	for _, prefix := range r.headerPrefixes {
		if strings.HasPrefix(lower, prefix) {
			return !r.headerAllow[lower[len(prefix):]]
		}
	}
	for _, re := range r.dropKey {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}

func luhnValid(match string) bool {
	sum, n := 0, 0
	for i := len(match) - 1; i >= 0; i-- {
		c := match[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n >= 12 && sum%10 == 0
}

// ibanValid is the ISO 13616 mod-97 check on the match with spaces removed.
func ibanValid(match string) bool {
	s := strings.ReplaceAll(match, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	rearranged := s[4:] + s[:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}
