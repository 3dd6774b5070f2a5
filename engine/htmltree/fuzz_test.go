package htmltree_test

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// cases are small documents for each rule of the subset and its edges; fast says whether
// TryParse must take them (the tree must be html.Parse's either way).
var cases = []struct {
	src  string
	fast bool
}{
	{"", true},
	{"<!doctype html>", true},
	{"<!DOCTYPE html>\n<html>\n<head>\n<title>T</title>\n</head>\n<body>\n<p>x</p>\n</body>\n</html>\n", true},
	{"<!DOCTYPE HTML><p><table></table>", true},
	{`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><p><table></table>`, true},
	{`<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><p><table></table>`, true},
	{"<p><table></table>", true},
	{"  <!-- c --> <html><!-- d --><head> <!-- e --></head> <!-- f --> <body></body> <!-- g --></html> <!-- h --> ", true},
	{"<html lang=en><body class=a><html dir=rtl data-x=1><body id=b class=c>", true},
	{"<head><meta charset=utf-8><link rel=x><style>p{}</style><script>if(a<b)x()</script><title>a&amp;b &lt;</title></head>x", true},
	{"<title>a</title1></title>", true},
	{"<style></style><style>a</STYLE ><textarea>\nx</textarea><textarea>&#13;\ny</textarea>", true},
	{"<pre>\nx</pre><pre>\n\ny</pre><listing>\nz</listing><pre><b></b>\nw</pre>", true},
	{"<p>a<p>b<div>c</div><p>d<h1>e<h2>f</h2></h1>", true},
	{"<ul><li>a<li>b<ol><li>c</ol></ul><dl><dt>a<dd>b<dt>c</dl>", true},
	{"<li><div><li></div></li><li><span><li>", true},
	{"<table><tr><td>a<td>b<tr><th>c</table>", true},
	{"<table>\n<tbody>\n<tr>\n<td>a</td>\n</tr>\n</tbody>\n</table>", true},
	{"<table><thead><tr><th>x</thead><tfoot><tr><td>y</tfoot><tbody><tr><td>z</table>", true},
	{"<table><caption>c<b>d</caption><colgroup><col><col span=2></colgroup><col><tr><td>x</table>", true},
	{"<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>", true},
	{"<table><tr><td>a<table><tr><td>b</table>c</td></tr><table><tr><td>d", true},
	{"<table>x</table>", false},
	{"<table><div>x</div></table>", false},
	{"<table> <tr> <td> </td> </tr> </table> ", true},
	{"<table><form><tr><td><input type=hidden name=a><input type=HIDDEN></table>", true},
	{"<table><input></table>", false},
	{"<b>x</b><i>y<u>z</u></i><a href=1>l</a><font color=red face=Arial>f</font>", true},
	{`<a title="t" href="h" class=c>x</a><b z=1 a=2 m=3>y</b>`, true},
	{"<b>1<b>2<b>3<b>4<b>5</b></b></b></b></b>", true},
	{"<p><b>x</p>y", true},
	{"<p><b><i>x</p><p>y</b>z", true},
	{"<b><p>x</b>y</p>", false},
	{"<a><a>", false},
	{"<a href=x><span>y</a>z", true},
	{"<td><b>x</td>y", true},
	{"<table><tr><td><b>x</td><td>y</b></td></tr></table>", true},
	{"<div><span>x</div>y</span>z", true},
	{"</p>", true},
	{"<div></p></div>", true},
	{"</br><br/><br />x<img src=a.png/><img src=b.png />", true},
	{"<hr><p><hr>x<hr/>", true},
	{"<image src=x>", true},
	{"<button>a<button>b</button>", true},
	{"<form action=a><form action=b></form></form>x", true},
	{"<form><div></form>x</div>y", true},
	{"<ruby>a<rb>b<rt>c<rp>d<rtc>e</ruby>", true},
	{"<object><b>x</object>y<marquee>z</marquee>", true},
	{"<iframe src=x><p>not a tag</p></iframe>", true},
	{"<template type=amp-mustache><div>{{a}}</div></template>x", true},
	{"<td><template><p>x</template>y", true},
	{"<template><tr><td>x</template>", false},
	{"<head><template><meta></template></head>", true},
	{"<body><template>x", true},
	{"</body> </html> x", true},
	{"<body>a</body><!--c-->\n</html>\n<!--d-->\n", true},
	{"<body></body>x", true},
	{"<!--[if mso]><table><tr><td><![endif]--><!--[if !mso]><!-->x<!--<![endif]-->", true},
	{"<!----><!-- a -- b --><!-- a --!--><!-- x !--> <!-- & &amp; -->", true},
	{"<!--><!--->", false},
	{"<!x>", false},
	{"<?xml version=1?>", false},
	{"<![CDATA[x]]>", false},
	{"a</>b", false},
	{"a < b <3 &<", true},
	{"&amp; &lt; &gt; &quot; &nbsp; &#39; &#x27; &#169; &copy &copyx &notit; &notin; &ampx &mdash; &rarr; &foo; &", true},
	{`<a href="?a=1&amp;b=2&copy=3&copy;&copy &notit; &notin; &ampx; &amp &#38;&#x26;&#; &; &foo;" title='&quot;x&apos;' alt=&lt;>`, true},
	{`<a href="&AMP;&AMP=&lt;x&ltx;&lt=&#X41;&#65&nbsp&nbspx&fjlig;&NotEqualTilde;&notinx;">`, true},
	{`<div A=1 a=2 B="3" class=x CLASS=y>`, true},
	{`<div a b = c d="e"f='g'h=i/>x`, true},
	{`<DIV Class=X><SPAN>Y</span></div>`, true},
	{`<mm-live data-src=x><mm-fallback>y</mm-fallback></mm-live><o:p></o:p><v:rect>`, true},
	{`<div "a"=b>`, false},
	{`<a/b>`, false},
	{"<div\n\tclass=a\r\nid=b>x\r\ny\rz</div>", true},
	{"<p>a\x00b</p>", false},
	{"<svg><path/></svg>", false},
	{"<math></math>", false},
	{"<select><option>a</select>", false},
	{"<frameset></frameset>", false},
	{"<script><!--x--></script>", false},
	{"<noscript>x</noscript>", false},
	{"<plaintext>x", false},
	{"<div", false},
	{`<div a="b`, false},
	{"<style>x", true},
	{"<title>x", true},
	{"<textarea>", true},
	{"x<head>y", true},
	{"<html><head></head><head></head><body><head></head>", true},
	{"<head></head><meta name=a><style>b</style><body>", true},
	{"<head></head> <p>x", true},
	{"<h1><h2>x</h2></h1><h3>y</h4>z", true},
	{"<p><address>x</address><center>y</center>", true},
	{"<dd>x<div><dt>y", true},
	{"<div><p>x<blockquote>y</blockquote></div>", true},
	{"<span></span></span></div></mm-x>", true},
	{"<table><tr><td></td></tr></tbody></td></th></table>", true},
	{"<table><td>x</table></table>", true},
	{"<table></tr><tr></table><p>", true},
	{"<table><tbody></tbody><tfoot><tr></tfoot></table>", true},
	{strings.Repeat("<p a b c d e f g h i j k>x", 60), true}, // attribute blocks fill mid-tag
	{strings.Repeat("<div><span>x</span></div>", 400), true}, // several node blocks
}

// TestCases checks each small case against html.Parse, and that the ones meant to take
// the fast path do.
func TestCases(t *testing.T) {
	for _, c := range cases {
		ok, diff := differ(c.src)
		if diff != "" {
			t.Errorf("%q: %s", c.src, diff)
		}
		if ok != c.fast {
			t.Errorf("%q: fast path %v, want %v", c.src, ok, c.fast)
		}
	}
}

// soupTokens are the pieces TestSoup strings together: the tags and text the subset's rules
// are about, and some it leaves to html.Parse.
var soupTokens = strings.Fields(`<html> </html> <head> </head> <body> </body> <title> </title>
	<style> </style> <script> </script> <textarea> </textarea> <iframe> </iframe> <meta> <link>
	<p> </p> <div> </div> <span> </span> <table> </table> <tbody> </tbody> <thead> </thead>
	<tfoot> <tr> </tr> <td> </td> <th> </th> <caption> </caption> <colgroup> <col> </colgroup>
	<b> </b> <i> </i> <a> </a> <font> </font> <strong> </strong> <nobr> <li> </li> <ul> </ul>
	<ol> <dd> <dt> </dl> <h1> </h1> <h2> </h3> <pre> </pre> <br> </br> <hr> <img> <image> <input>
	<form> </form> <button> </button> <template> </template> <select> <option> <ruby> <rt> <rp>
	<object> </object> <mm-live> </mm-live> <center> <address> <o:p> <!--c--> <!--[if_mso]>x<![endif]-->
	<!doctype_html> x y _ \n &amp; &lt; &copy &notit; <a_href="?a=1&b=2"> <b_class=x_id=y>
	<input_type=hidden> <td_colspan=2> <div_A=1_a=2> </x> <svg> <frameset> < </ <P> </TD> <Table>`)

// TestSoup compares TryParse with html.Parse over many random strings of soupTokens.
func TestSoup(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	accepted := 0
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := r.IntN(30); k >= 0; k-- {
			b.WriteString(strings.NewReplacer("_", " ", `\n`, "\n").Replace(soupTokens[r.IntN(len(soupTokens))]))
		}
		ok, diff := differ(b.String())
		if diff != "" {
			t.Fatalf("%q: %s", b.String(), diff)
		}
		if ok {
			accepted++
		}
	}
	t.Logf("fast path: %d of %d", accepted, n)
}

// FuzzParse asserts that whatever TryParse accepts, it parses exactly as html.Parse does.
// It is seeded with the cases and the corpus, less the masters of all profiles but one
// (large inputs that differ little make slow fuzzing).
func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add(c.src)
	}
	for _, d := range corpus(f) {
		if !d.bundled || strings.Contains(d.name, "/p-high-value") {
			f.Add(d.src)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if _, diff := differ(src); diff != "" {
			t.Fatal(diff)
		}
	})
}
