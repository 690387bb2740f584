package lang

import (
	"context"
	"math/bits"
	"slices"
	"strings"
	"testing"
	"unicode"

	"newsdesk"
	"newsdesk/enrich"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	d := New()
	tests := []struct{ want, text string }{
		{"en", "An Iranian opposition group based in Iraq continues to receive protection from the American military in the face of Iraqi pressure to leave the country."},
		{"fr", "Le gouvernement irakien a demandé au groupe de quitter le pays dans les six mois, mais les forces américaines continuent de protéger le camp."},
		{"de", "Die iranische Regierung hat am Montag erklärt, dass sie die Gespräche mit den europäischen Partnern nicht abbrechen wird, auch wenn der Druck wächst."},
		{"es", "El ministro de Exteriores dijo que la delegación viajará a Bagdad la próxima semana para reunirse con los responsables del Gobierno iraquí."},
		{"it", "Il ministro degli Esteri ha detto che la delegazione andrà a Baghdad la prossima settimana per incontrare i rappresentanti del governo iracheno."},
		{"pt", "O ministro das Relações Exteriores disse que a delegação vai a Bagdá na próxima semana para se reunir com os representantes do governo iraquiano."},
		{"tr", "Dışişleri Bakanı, heyetin gelecek hafta Bağdat'a giderek Irak hükümeti temsilcileri ile görüşeceğini ve bu görüşmenin çok önemli olduğunu söyledi."},
		{"nl", "De minister van Buitenlandse Zaken zei dat de delegatie volgende week naar Bagdad reist om met vertegenwoordigers van de Iraakse regering te praten."},
		{"fa", "وزیر امور خارجه ایران امروز وارد بغداد شد و با همتای عراقی خود دیدار کرد. این سفر برای گسترش روابط دو کشور انجام می شود."},
		{"ar", "قال وزير الخارجية العراقي إن الوفد سيزور طهران الأسبوع المقبل من أجل بحث العلاقات بين البلدين في ظل التوتر في المنطقة."},
		{"ur", "وزیر خارجہ نے کہا ہے کہ وفد اگلے ہفتے تہران کا دورہ کرے گا اور دونوں ممالک کے درمیان تعلقات پر بات چیت ہوگی۔"},
		{"he", "שר החוץ אמר כי המשלחת תבקר בבגדד בשבוע הבא כדי להיפגש עם נציגי ממשלת עיראק."},
		{"ru", "Министр иностранных дел заявил, что делегация посетит Тегеран на следующей неделе для переговоров."},
		{"zh", "外交部长表示，代表团将于下周访问德黑兰，与伊朗政府代表举行会谈。"},
		{"ja", "外務大臣は、代表団が来週テヘランを訪問し、イラン政府の代表と会談すると述べた。"},
		{"", "OK"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got, conf := d.Detect(tc.text)
			if got != tc.want {
				t.Errorf("Detect = %q (%.2f), want %q", got, conf, tc.want)
			}
		})
	}
}

func TestStep(t *testing.T) {
	t.Parallel()
	s := NewStep()
	en := "The group also enjoys the protection of the International Committee of the Red Cross, which has said the residents must not be deported."
	fa := "وزیر امور خارجه ایران امروز وارد بغداد شد و با همتای عراقی خود دیدار کرد. این سفر برای گسترش روابط دو کشور است."
	tests := []struct{ name, declared, text, want string }{
		{"declared and agrees", "en-GB", en, "en-GB"},
		{"declared and disagrees", "en", fa, "fa"},
		{"undeclared", "", fa, "fa"},
		{"too short keeps declared", "fa", "OK", "fa"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &newsdesk.Article{Language: tc.declared, Text: tc.text}
			ex := &enrich.Explanation{}
			if err := s.Enrich(context.Background(), a, ex); err != nil {
				t.Fatal(err)
			}
			if a.Language != tc.want {
				t.Errorf("language %q, want %q (%s)", a.Language, tc.want, ex)
			}
			if !strings.HasPrefix(ex.String(), "lang:") {
				t.Errorf("explanation %q", ex)
			}
		})
	}
}

func BenchmarkStep(b *testing.B) {
	s := NewStep()
	a := &newsdesk.Article{Text: strings.Repeat("The group also enjoys the protection of the International Committee of the Red Cross. ", 60)}
	for b.Loop() {
		a.Language = ""
		s.Enrich(context.Background(), a, nil)
	}
}

// latinHitsRef counts profile words as latinScript did by lower-casing the
// whole text and splitting it with strings.FieldsFunc.
func latinHitsRef(d *Detector, text string) (string, float64) {
	var hits [16]int
	total := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		total++
		for m := d.langs[w]; m != 0; m &= m - 1 {
			hits[bits.TrailingZeros16(m)]++
		}
	}
	count := func(code string) int { return hits[slices.Index(d.order, code)] }
	best, second := "", 0
	for _, code := range d.order {
		if best == "" || count(code) > count(best) {
			best = code
		}
	}
	for _, code := range d.order {
		if code != best && count(code) > second {
			second = count(code)
		}
	}
	if total == 0 || count(best) < 2 {
		return "", 0
	}
	return best, float64(count(best)-second) / float64(count(best))
}

func TestLatinScriptReference(t *testing.T) {
	d := New()
	for _, text := range []string{
		"The Fed said that it was on track, and the markets were not so sure of it.",
		"Le gouvernement a annoncé que les élections DES régions auront lieu en mars, mais il n'est pas sûr.",
		"Der Präsident sagte, dass die Regierung nicht auf die Forderungen eingehen wird. ÜBER ALLES",
		"Türkiye'de ve bir bu için İstanbul'da olarak OLAN çok daha gibi \xff ama ne",
		"El presidente dijo que la economía de los países está en crisis, pero no es grave.",
		"A" + strings.Repeat("b", 40) + " the of and to in is that Supercalifragilisticexpialidocious'thethe the",
		"",
	} {
		gotL, gotC := d.latinScript(text)
		wantL, wantC := latinHitsRef(d, text)
		if gotL != wantL || gotC != wantC {
			t.Errorf("latinScript(%.30q) = %s %.3f, reference %s %.3f", text, gotL, gotC, wantL, wantC)
		}
	}
}
