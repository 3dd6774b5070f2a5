package amp

import (
	"strconv"
	"strings"
)

// The allow-lists below were measured against the official validator (AMP4EMAIL,
// data-css-strict): every property, pseudo-class, media feature and value listed passes, and
// the common email ones left out fail.

// allowedProps are the CSS properties AMP for Email accepts.
var allowedProps = wordSet(`
-moz-appearance -webkit-appearance -webkit-tap-highlight-color align-content align-items
align-self appearance aspect-ratio azimuth background background-attachment
background-blend-mode background-clip background-color background-image background-origin
background-position background-repeat background-size border border-bottom border-bottom-color
border-bottom-left-radius border-bottom-right-radius border-bottom-style border-bottom-width
border-collapse border-color border-left border-left-color border-left-style border-left-width
border-radius border-right border-right-color border-right-style border-right-width
border-spacing border-style border-top border-top-color border-top-left-radius
border-top-right-radius border-top-style border-top-width border-width bottom box-shadow
box-sizing break-after break-before break-inside caption-side caret-color clear color
color-adjust column-count column-fill column-gap column-rule column-rule-color
column-rule-style column-rule-width column-span column-width columns counter-increment
counter-reset cursor direction display elevation empty-cells filter flex flex-basis
flex-direction flex-flow flex-grow flex-shrink flex-wrap float font font-family
font-feature-settings font-kerning font-size font-size-adjust font-stretch font-style
font-synthesis font-variant font-variant-alternates font-variant-caps font-variant-east-asian
font-variant-ligatures font-variant-numeric font-variation-settings font-weight gap grid
grid-area grid-auto-columns grid-auto-flow grid-auto-rows grid-column grid-column-end
grid-column-start grid-row grid-row-end grid-row-start grid-template grid-template-areas
grid-template-columns grid-template-rows height hyphens image-orientation image-resolution
inline-size isolation justify-content justify-items justify-self left letter-spacing
line-break line-height list-style list-style-position list-style-type margin margin-bottom
margin-left margin-right margin-top max-height max-width min-height min-width mix-blend-mode
object-fit object-position offset-distance opacity order outline outline-color outline-offset
outline-style outline-width overflow overflow-wrap overflow-x overflow-y padding padding-bottom
padding-left padding-right padding-top perspective perspective-origin pitch place-items
position quotes resize right row-gap speak table-layout text-align text-align-last
text-combine-upright text-decoration text-decoration-color text-decoration-line
text-decoration-style text-emphasis text-emphasis-color text-emphasis-position
text-emphasis-style text-indent text-justify text-orientation text-overflow text-shadow
text-transform text-underline-position top transform transform-box transform-origin
transform-style transition transition-delay transition-duration transition-property
transition-timing-function unicode-bidi vertical-align visibility white-space width word-break
word-spacing word-wrap writing-mode z-index`)

// allowedPseudoClasses are the selector pseudo-classes AMP for Email accepts; every
// pseudo-element (::before, ::after, ::placeholder…) is disallowed.
var allowedPseudoClasses = wordSet(`
active checked default disabled empty enabled first-child first-of-type focus focus-within
hover in-range indeterminate invalid last-child last-of-type not nth-child nth-last-child
nth-last-of-type nth-of-type only-child only-of-type optional out-of-range read-only
read-write required valid`)

// allowedMediaTypes and allowedMediaFeatures bound @media queries (no print, no
// prefers-color-scheme, no device-pixel-ratio).
var (
	allowedMediaTypes    = wordSet(`all screen`)
	allowedMediaKeywords = wordSet(`and not only`)
	allowedMediaFeatures = wordSet(`width min-width max-width device-width min-device-width
max-device-width orientation hover pointer any-hover any-pointer resolution min-resolution
max-resolution`)
)

// transitionable are the only properties AMP lets transition (GPU-accelerated ones).
var transitionable = wordSet(`opacity transform visibility offset-distance -webkit-transform`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// valueAllowed applies the validator's value restrictions for the few properties that have
// them; v is the lower-cased value without !important.
func valueAllowed(prop, v string) bool {
	switch prop {
	case "visibility":
		return v == "visible" || v == "hidden"
	case "z-index":
		n, err := strconv.Atoi(v)
		return err == nil && n >= -100 && n <= 100
	case "cursor":
		return v == "pointer" || v == "initial"
	case "filter":
		// functions only (blur(), grayscale()…); keywords such as none are rejected
		return strings.HasSuffix(v, ")") && !strings.HasPrefix(v, "(")
	case "transition-property":
		for _, p := range splitTop(v, ',') {
			if !transitionable[strings.TrimSpace(p)] {
				return false
			}
		}
		return true
	case "transition":
		if v == "none" {
			return true
		}
		for _, part := range splitTop(v, ',') {
			ok := false
			for _, w := range strings.Fields(part) {
				if transitionable[w] {
					ok = true
					break
				}
				if w == "all" || (w[0] >= 'a' && w[0] <= 'z' && !isTiming(w)) {
					return false
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return true
}

// isTiming reports whether w is a timing-function keyword of a transition shorthand.
func isTiming(w string) bool {
	switch w {
	case "ease", "ease-in", "ease-out", "ease-in-out", "linear", "step-start", "step-end":
		return true
	}
	return strings.HasPrefix(w, "cubic-bezier(") || strings.HasPrefix(w, "steps(")
}

// splitTop splits s at sep outside parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
