package sightlinepiiprocessor

import (
	"math"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ScrubString applies every pattern rule to s. key is the nearest map key (attribute name), used
// by key-scoped rules such as the SQL ones; "" for span names, messages and bodies. Strings over
// the size limit are cut first. If s holds percent-escapes, the decoded form is scrubbed too and,
// when that redacted anything, the scrubbed decoded form is returned.
func (r *Rules) ScrubString(key, s string) (string, bool) {
	cacheable := len(s) <= maxCleanLength && !r.scopedKeys[key]
	if cacheable {
		if _, ok := r.clean.Load().values.Load(s); ok {
			return s, false
		}
	}
	out, changed := r.scrubUncached(key, s)
	if cacheable && !changed {
		set := r.clean.Load()
		if set.size.Add(1) > maxCleanCache {
			r.clean.Store(&cleanSet{})
		} else {
			set.values.Store(s, struct{}{})
		}
	}
	return out, changed
}

func (r *Rules) scrubUncached(key, s string) (string, bool) {
	changed := false
	if len(s) > r.maxStringBytes {
		s = cutUTF8(s, r.maxStringBytes) + r.truncatedMarker
		changed = true
	}
	if out, ok := r.applyPatterns(key, s); ok {
		s, changed = out, true
	}
	if r.decodePercent && r.maxRounds > 0 {
		if out, ok := r.scrubDecoded(key, s); ok {
			s, changed = out, true
		}
	}
	return s, changed
}

// scrubDecoded tries the percent-decoded form (and, for query strings, the form with `+` as a
// space), up to maxRounds decodings deep.
func (r *Rules) scrubDecoded(key, s string) (string, bool) {
	cur := s
	for round := 0; round < r.maxRounds; round++ {
		hasPercent := strings.IndexByte(cur, '%') >= 0
		hasPlus := r.plusAsSpace && strings.IndexByte(cur, '+') >= 0 && strings.IndexByte(cur, '=') >= 0
		if !hasPercent && !hasPlus {
			return s, false
		}
		decoded := percentDecode(cur, false)
		if decoded != cur {
			if out, ok := r.applyPatterns(key, decoded); ok {
				return out, true
			}
		}
		if hasPlus {
			withSpaces := percentDecode(cur, true)
			if withSpaces != cur && withSpaces != decoded {
				if out, ok := r.applyPatterns(key, withSpaces); ok {
					return out, true
				}
			}
		}
		if decoded == cur {
			return s, false
		}
		cur = decoded
	}
	return s, false
}

// applyPatterns runs the pattern rules in order; each one sees the previous one's output.
func (r *Rules) applyPatterns(key, s string) (string, bool) {
	if len(s) < 3 {
		return s, false
	}
	digits := countDigits(s)
	lower := ""
	lowered := false
	changed := false
	for i := range r.patterns {
		p := &r.patterns[i]
		if p.keys != nil && !p.keys[key] {
			continue
		}
		if digits < p.minDigits {
			continue
		}
		if len(p.hints) > 0 {
			found := false
			if p.fold && len(s) > 256 {
				// Long values: lower-case once for all folded rules.
				if !lowered {
					lower, lowered = strings.ToLower(s), true
				}
				for _, h := range p.hints {
					if strings.Contains(lower, h) {
						found = true
						break
					}
				}
			} else {
				for _, h := range p.hints {
					if (p.fold && containsFold(s, h)) || (!p.fold && strings.Contains(s, h)) {
						found = true
						break
					}
				}
			}
			if !found {
				continue
			}
		}
		if !p.mayMatch(s) {
			continue
		}
		var out string
		if p.validate == nil {
			out = p.re.ReplaceAllString(s, p.replace)
		} else {
			out = replaceValidated(p, s)
		}
		if out != s {
			s, changed = out, true
			digits = countDigits(s)
			lowered = false
		}
	}
	return s, changed
}

// replaceValidated replaces only the matches that pass the rule's check (Luhn, IBAN mod 97).
func replaceValidated(p *pattern, s string) string {
	matches := p.re.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b []byte
	last := 0
	for _, m := range matches {
		if !p.validate(s[m[0]:m[1]]) {
			continue
		}
		b = append(b, s[last:m[0]]...)
		b = p.re.ExpandString(b, p.replace, s, m)
		last = m[1]
	}
	if b == nil {
		return s
	}
	b = append(b, s[last:]...)
	return string(b)
}

// containsFold reports whether s contains the lower-case ASCII hint, ignoring ASCII case,
// without allocating a lower-cased copy (most values are short).
func containsFold(s, hint string) bool {
	n := len(hint)
	if n == 0 {
		return true
	}
	first := hint[0]
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != first {
			continue
		}
		j := 1
		for ; j < n; j++ {
			d := s[i+j]
			if d >= 'A' && d <= 'Z' {
				d += 'a' - 'A'
			}
			if d != hint[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i]-'0' < 10 {
			n++
		}
	}
	return n
}

// cutUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes every valid %XX (and `+` when plus is set); invalid escapes stay as they
// are, unlike net/url, which rejects the whole string. Invalid UTF-8 in the result is replaced.
func percentDecode(s string, plus bool) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				if b == nil {
					b = make([]byte, 0, len(s))
					b = append(b, s[:i]...)
				}
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		if c == '+' && plus {
			if b == nil {
				b = make([]byte, 0, len(s))
				b = append(b, s[:i]...)
			}
			b = append(b, ' ')
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

// ScrubMap scrubs a map in place: entries with a secret key (or a header not on the allow list)
// are removed, every value is scrubbed at any depth up to the limit.
func (r *Rules) ScrubMap(m pcommon.Map) {
	r.scrubMap(m, 1, false)
}

func (r *Rules) scrubMap(m pcommon.Map, depth int, headerMap bool) {
	m.RemoveIf(func(k string, v pcommon.Value) bool {
		if headerMap && !r.headerAllow[strings.ToLower(k)] {
			return true
		}
		if r.shouldDropKey(k) {
			return true
		}
		r.scrubValue(k, v, depth)
		return false
	})
}

// ScrubValue scrubs one value in place (a log body, an attribute value); key as in ScrubString.
func (r *Rules) ScrubValue(key string, v pcommon.Value) {
	r.scrubValue(key, v, 1)
}

// scrubValue recurses at most maxDepth levels: deeper maps and arrays become the depth marker, so
// neither work nor stack grows with the nesting a client sends.
func (r *Rules) scrubValue(key string, v pcommon.Value, depth int) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if out, ok := r.ScrubString(key, v.Str()); ok {
			v.SetStr(out)
		}
	case pcommon.ValueTypeDouble:
		r.scrubNumber(key, v)
	case pcommon.ValueTypeMap:
		if depth >= r.maxDepth {
			v.SetStr(r.depthMarker)
			return
		}
		r.scrubMap(v.Map(), depth+1, r.headerMapKeys[strings.ToLower(key)])
	case pcommon.ValueTypeSlice:
		if depth >= r.maxDepth {
			v.SetStr(r.depthMarker)
			return
		}
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			r.scrubValue(key, sl.At(i), depth+1)
		}
	}
}

func (r *Rules) scrubNumber(key string, v pcommon.Value) {
	for _, n := range r.numbers {
		if n.key.MatchString(key) {
			f := v.Double()
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				v.SetDouble(math.Round(f*n.scale) / n.scale)
			}
			return
		}
	}
}
