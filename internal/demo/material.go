package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Person returns a first and last name: four in five Indonesian.
func Person(r *rand.Rand) (first, last string) {
	if r.IntN(5) == 0 {
		return Pick(r, firstNamesEN), Pick(r, lastNamesEN)
	}
	return Pick(r, firstNamesID), Pick(r, lastNamesID)
}

// Company returns a company name such as "PT Sinar Mulia Niaga".
func Company(r *rand.Rand) string { return companyName(r) }

// Mobile returns an Indonesian mobile number in E.164.
func Mobile(r *rand.Rand) string { return mobile(r) }

// JobTitle returns a job title.
func JobTitle(r *rand.Rand) string { return Pick(r, jobTitles) }

// Email returns a plausible address for a person at a company (or a
// free-mail address when company is empty); n keeps it unique.
func Email(r *rand.Rand, first, last, company string, n int64) string {
	domain := Pick(r, emailDomains)
	if company != "" && r.IntN(2) == 0 {
		domain = slug(company) + ".co.id"
	}
	return fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(last), n, domain)
}

// City returns a city and its province.
func City(r *rand.Rand) (city, province string) {
	c := Pick(r, cities)
	return c.City, c.Province
}
