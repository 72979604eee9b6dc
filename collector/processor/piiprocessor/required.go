package sightlinepiiprocessor

import (
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Required characters: a cheap pre-check before a pattern's regular expression runs.
//
// Go's regexp has no DFA: an unanchored pattern that starts with a long alternation (the
// secret-key-value rules: ~40 key words) is tried at every position of the value, which costs
// 30-40 µs on a 70-byte log line even when nothing matches. Many patterns cannot match at all
// without some character (`[:=]` after the key word, `@` in an email). requiredSets finds such
// characters in the parsed pattern, and mayMatch skips the regex when a value has none of them.
// The check is exact, never heuristic: a set is only kept when every match must contain one of its
// characters, case folding (including non-ASCII folds such as the Kelvin sign for k) included.

// maxSetSize bounds a set (a class like [A-Za-z] says nothing useful and costs a scan).
const maxSetSize = 16

// maxSets bounds the checks per pattern; the most selective sets (fewest letters and digits) win.
const maxSets = 4

// requiredSets returns sets of characters (as strings, for strings.ContainsAny) such that every
// match of the pattern src contains at least one character of each set.
func requiredSets(src string) []string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, set := range required(re.Simplify()) {
		key := setString(set)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, key)
	}
	// Punctuation first: a value without ':' or '=' is common, one without a letter is not.
	sort.SliceStable(out, func(i, j int) bool { return alnumCount(out[i]) < alnumCount(out[j]) })
	if len(out) > maxSets {
		out = out[:maxSets]
	}
	return out
}

// required lists rune sets of which every match of re contains at least one rune.
func required(re *syntax.Regexp) [][]rune {
	switch re.Op {
	case syntax.OpLiteral:
		var sets [][]rune
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				sets = append(sets, foldSet(r))
			} else {
				sets = append(sets, []rune{r})
			}
		}
		return sets
	case syntax.OpCharClass:
		var set []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo+1 > maxSetSize || len(set)+int(hi-lo+1) > maxSetSize {
				return nil
			}
			for r := lo; r <= hi; r++ {
				set = append(set, r)
			}
		}
		return [][]rune{set}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var sets [][]rune
		for _, sub := range re.Sub {
			sets = append(sets, required(sub)...)
		}
		return sets
	case syntax.OpAlternate:
		// Every alternative must contribute a set; their union is then required.
		var union []rune
		for _, sub := range re.Sub {
			best := smallest(required(sub))
			if best == nil {
				return nil
			}
			union = append(union, best...)
			if len(union) > maxSetSize {
				return nil
			}
		}
		return [][]rune{union}
	}
	// Empty matches, boundaries, any-char, optional parts: nothing required.
	return nil
}

func smallest(sets [][]rune) []rune {
	var best []rune
	for _, s := range sets {
		if len(s) > 0 && (best == nil || len(s) < len(best)) {
			best = s
		}
	}
	return best
}

// foldSet is r with every rune that case-folds to it (k: k, K and the Kelvin sign).
func foldSet(r rune) []rune {
	set := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		set = append(set, f)
	}
	return set
}

// setString is the set as a string for strings.ContainsAny, or "" when it cannot be checked
// byte-exactly: the regexp reads an invalid UTF-8 byte as U+FFFD, which ContainsAny would not find.
func setString(set []rune) string {
	if len(set) == 0 || len(set) > maxSetSize {
		return ""
	}
	uniq := map[rune]bool{}
	var b strings.Builder
	for _, r := range set {
		if r == utf8.RuneError || !utf8.ValidRune(r) {
			return ""
		}
		if !uniq[r] {
			uniq[r] = true
			b.WriteRune(r)
		}
	}
	return b.String()
}

func alnumCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// mayMatch is false when s lacks every character of one of the pattern's required sets, so the
// regular expression cannot match it.
func (p *pattern) mayMatch(s string) bool {
	for _, set := range p.required {
		if !strings.ContainsAny(s, set) {
			return false
		}
	}
	return true
}
