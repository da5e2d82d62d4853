// Package qrtest reads back the QR codes the API renders as SVG, for tests:
// it rebuilds the module matrix from the SVG path and decodes it with a
// real QR decoder, so a test proves what a phone would scan.
package qrtest

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

var (
	svgViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// Modules reads the module matrix back from the SVG's path runs.
func Modules(svg []byte) ([][]bool, error) {
	vb := svgViewBox.FindSubmatch(svg)
	if vb == nil || string(vb[1]) != string(vb[2]) {
		return nil, errors.New("no square viewBox in the SVG")
	}
	n, _ := strconv.Atoi(string(vb[1]))
	m := make([][]bool, n)
	for i := range m {
		m[i] = make([]bool, n)
	}
	runs := svgRun.FindAllSubmatch(svg, -1)
	if len(runs) == 0 {
		return nil, errors.New("no dark modules in the SVG")
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(string(r[1]))
		y, _ := strconv.Atoi(string(r[2]))
		w, _ := strconv.Atoi(string(r[3]))
		if string(r[3]) != string(r[4]) || x+w > n || y >= n {
			return nil, fmt.Errorf("bad run %q in a %d matrix", r[0], n)
		}
		for i := x; i < x+w; i++ {
			m[y][i] = true
		}
	}
	return m, nil
}

// Decode draws the matrix at 4 px per module and decodes it.
func Decode(m [][]bool) (string, error) {
	const scale = 4
	n := len(m)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for y := range n * scale {
		for x := range n * scale {
			c := color.Gray{Y: 255}
			if m[y/scale][x/scale] {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("QR bitmap: %w", err)
	}
	// The image is drawn, not photographed: PURE_BARCODE reads the modules
	// off the grid instead of estimating the grid from the finder patterns,
	// which misplaces it for about one random matrix in 150 (the data is
	// then decoded and error-corrected as for any scan).
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("decode QR: %w", err)
	}
	return res.GetText(), nil
}

// DecodeSVG returns the text an SVG QR code encodes.
func DecodeSVG(svg []byte) (string, error) {
	m, err := Modules(svg)
	if err != nil {
		return "", err
	}
	return Decode(m)
}
