package duplicates

import (
	"math"
	"slices"
)

// How sure a pair of records is one customer: each piece of evidence is
// a chance that the pair is one, and the pieces combine as independent
// chances do (1 − the product of their complements), so two pieces are
// surer than either and none adds up past 100%.
const (
	weightEmail  = 0.90 // one mailbox is one person, bar a shared info@ (ignored: see maxShared)
	weightPhone  = 0.85 // a mobile number is one person's; a family's landline is the exception
	weightDomain = 0.80 // an account's web domain is one company's
	// A name at least similarNames alike counts from weightSimilarName
	// (at similarNames) up to weightSameName (equal); less alike, nothing.
	weightSimilarName = 0.60
	weightSameName    = 0.80
	// The same company (a contact's account, a lead's company) only
	// supports other evidence: colleagues share it.
	weightSameCompany = 0.25
)

// ProposeFrom is the score (in percent) from which a group is proposed.
// 70% takes one strong identifier on its own (an e-mail 90%, a phone
// 85%, a web domain 80%), or a near-identical name together with the
// same company (a typo: 70–80%, the same name: 85%). It leaves out what
// colleagues or relatives share: the company alone (25%), or a clearly
// different name at it ("Rudi" and "Budi Tanjung": a name below
// similarNames counts nothing). Company names are the identity of an
// account, so an equal one (80%) or the same words in another order
// (70%) are proposed on their own, a typo's worth of difference (60–70%)
// not: "Abadi Persada" and "Abadi Perkasa" are two companies.
const ProposeFrom = 70

// Evidence is one kind of thing two records have in common, in the
// catalog as duplicates.evidence.<Evidence>, strongest first.
type Evidence string

const (
	EvidenceEmail       Evidence = "email"
	EvidencePhone       Evidence = "phone"
	EvidenceDomain      Evidence = "domain"
	EvidenceSameName    Evidence = "same_name"
	EvidenceSimilarName Evidence = "similar_name"
	EvidenceSameCompany Evidence = "same_company"
)

// evidenceOrder is the order evidence is listed in.
var evidenceOrder = []Evidence{EvidenceEmail, EvidencePhone, EvidenceDomain, EvidenceSameName, EvidenceSimilarName, EvidenceSameCompany}

// side is what the score reads of one record of a pair: its normalised
// name and scope (see NameRule), "" when it has none.
type side struct{ name, scope string }

// scored is a candidate pair with its score and the evidence for it.
type scored struct {
	pair
	score    int // percent
	evidence []Evidence
	reasons  []Reason
}

// score weighs a candidate pair: the shared values it was found by
// (reasons: e-mail, phone, domain, name), how alike the two names are
// and whether the records are at the same company. A name reason whose
// names are no longer alike (stored by an older, looser comparison)
// is dropped from the reasons.
func score(p pair, reasons []Reason, a, b side) scored {
	s := scored{pair: p}
	chance := []float64{}
	for _, r := range reasons {
		var ev Evidence
		var w float64
		switch r.Kind {
		case "email":
			ev, w = EvidenceEmail, weightEmail
		case "phone":
			ev, w = EvidencePhone, weightPhone
		case "domain":
			ev, w = EvidenceDomain, weightDomain
		}
		if ev != "" && !slices.Contains(s.evidence, ev) {
			s.evidence = append(s.evidence, ev)
			chance = append(chance, w)
		}
	}
	alike := NameSimilarity(a.name, b.name)
	if alike >= similarNames {
		ev := EvidenceSimilarName
		if alike == 1 {
			ev = EvidenceSameName
		}
		s.evidence = append(s.evidence, ev)
		chance = append(chance, weightSimilarName+(weightSameName-weightSimilarName)*(alike-similarNames)/(1-similarNames))
	}
	if a.scope != "" && a.scope == b.scope {
		s.evidence = append(s.evidence, EvidenceSameCompany)
		chance = append(chance, weightSameCompany)
	}
	for _, r := range reasons {
		if (r.Kind == "name" || r.Kind == "company_name") && alike < similarNames {
			continue
		}
		s.reasons = append(s.reasons, r)
	}
	s.score = combine(chance)
	sortEvidence(s.evidence)
	return s
}

// combine is the chance that at least one piece of evidence is right, in
// whole percent.
func combine(chances []float64) int {
	none := 1.0
	for _, c := range chances {
		none *= 1 - c
	}
	return int(math.Round(100 * (1 - none)))
}

func sortEvidence(list []Evidence) {
	slices.SortFunc(list, func(a, b Evidence) int {
		return slices.Index(evidenceOrder, a) - slices.Index(evidenceOrder, b)
	})
}
