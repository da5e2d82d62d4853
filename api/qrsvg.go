package api

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrModulePixels is the displayed size of one QR module.
const qrModulePixels = 8

// qrSVG encodes text as a QR code (medium error correction) and renders
// it as SVG: a white background and one path of black modules, one
// "M x y h n v 1 h -n z" run per horizontal stretch, in module units. The
// matrix includes the standard 4-module quiet zone.
func qrSVG(text string) ([]byte, error) {
	qr, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	return renderSVG(qr.Bitmap()), nil
}

// renderSVG draws a square module matrix (true = dark).
func renderSVG(m [][]bool) []byte {
	n := len(m)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`,
		n, n, n*qrModulePixels, n*qrModulePixels)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String())
}
