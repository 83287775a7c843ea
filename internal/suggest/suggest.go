package suggest

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDistance is how many edits a suggestion may be away: enough for a
// typo or a swapped pair, too few to suggest an unrelated name.
const maxDistance = 2

// maxRunes bounds the names compared: the distance costs the product of
// the lengths, and a name from a hostile file may be very long.
const maxRunes = 64

// Closest returns the candidate within two edits of s, ignoring case (so
// "LeakyReLU" finds "leaky_relu"), or "" if none is that close. Ties go to
// the earlier candidate. A candidate that differs in every rune is no
// suggestion (two edits turn any two-letter name into any other), and
// names longer than 64 runes are not compared.
func Closest(s string, candidates []string) string {
	best, bestD := "", maxDistance+1
	ls := strings.ToLower(s)
	n := utf8.RuneCountInString(ls)
	if n > maxRunes {
		return ""
	}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		m := utf8.RuneCountInString(lc)
		if m > maxRunes {
			continue
		}
		if d := Distance(ls, lc); d < bestD && d < max(n, m) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean returns ` (did you mean "X"?)` for the closest candidate, or
// "" if none is close.
func DidYouMean(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" {
		return " (did you mean " + strconv.Quote(c) + "?)"
	}
	return ""
}

// Distance returns the Levenshtein distance between a and b counted in
// runes: the fewest insertions, deletions and substitutions that turn one
// into the other.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
