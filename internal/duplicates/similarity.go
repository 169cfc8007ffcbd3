package duplicates

import (
	"slices"
	"strings"
)

// similarNames is the NameSimilarity from which two names count as
// evidence of one person (or one company). At 0.9 a typo passes — a
// transposed pair ("Hidayat", "Hidayta": 0.97), a letter left out
// ("Saragih", "Saragi": 0.97), a different last letter of a longer word
// ("Rizky", "Rizki": 0.92) — but a four-letter given name with another
// letter does not: "Rudi" and "Budi" (0.83), "Sri" and "Siti" (0.75),
// "Rina" and "Rini" (0.88) are usually different people, and nothing in
// the letters tells the rare spelling variant ("Budi", "Budy") apart.
const similarNames = 0.9

// Similar reports whether two normalised names (see PersonKey) are close
// enough to be one: see NameSimilarity and similarNames.
func Similar(a, b string) bool {
	return NameSimilarity(a, b) >= similarNames
}

// NameSimilarity compares two normalised names from 0 (unlike) to 1
// (equal). A name is as similar as its least similar word, by
// Jaro-Winkler: over the whole name, "Rudi Tanjung" and "Budi Tanjung"
// are 94% alike, yet they are two people of one family — one clearly
// different word makes another person. The words are compared in their
// order or, if that matches better, sorted ("Santoso Budi"); the same
// letters split otherwise ("Nurhayati", "Nur Hayati") count 0.95, as do
// the same words in another order. Names with a different number of
// words are unlike: "Budi" is not "Budi Santoso".
func NameSimilarity(a, b string) float64 {
	if a == b {
		return 1
	}
	if a == "" || b == "" {
		return 0
	}
	wa, wb := strings.Fields(a), strings.Fields(b)
	if strings.Join(wa, "") == strings.Join(wb, "") {
		return 0.95
	}
	if len(wa) != len(wb) {
		return 0
	}
	inOrder := leastSimilarWord(wa, wb)
	sa, sb := slices.Sorted(slices.Values(wa)), slices.Sorted(slices.Values(wb))
	if slices.Equal(sa, sb) {
		return 0.95
	}
	return max(inOrder, leastSimilarWord(sa, sb))
}

// leastSimilarWord is the lowest Jaro-Winkler similarity of the words at
// the same places of two lists of equal length.
func leastSimilarWord(a, b []string) float64 {
	least := 1.0
	for i := range a {
		least = min(least, jaroWinkler(a[i], b[i]))
	}
	return least
}

// jaroWinkler is the Jaro similarity of two words raised for a common
// beginning of up to four letters (Winkler's prefix scale 0.1): people
// mistype the end of a name more often than its start.
func jaroWinkler(a, b string) float64 {
	j := jaro([]rune(a), []rune(b))
	prefix := 0
	for i, r := range []rune(a) {
		if i >= 4 || i >= len([]rune(b)) || []rune(b)[i] != r {
			break
		}
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

// jaro counts the letters two words share within a window of half the
// longer word, less half the shared letters that appear in another order.
func jaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(max(len(a), len(b))/2-1, 0)
	matchedA, matchedB := make([]bool, len(a)), make([]bool, len(b))
	matches := 0
	for i, r := range a {
		for j := max(0, i-window); j < min(len(b), i+window+1); j++ {
			if !matchedB[j] && b[j] == r {
				matchedA[i], matchedB[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transposed, j := 0, 0
	for i := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if a[i] != b[j] {
			transposed++
		}
		j++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transposed)/2)/m) / 3
}
