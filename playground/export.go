package playground

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bigfunc/bigfunc/spec"
)

// exportSpec returns the spec of the session's set-up, trained for the
// epochs so far. Callers hold mu.
func (s *session) exportSpec() string {
	return specText(s.cfg, s.prob.set, s.epoch)
}

// exportModel returns the network as a bigfunc model file: safetensors
// with PyTorch state_dict names, and the spec, input width, feature and
// target names and output decoder in the metadata. Callers hold mu.
func (s *session) exportModel() ([]byte, error) {
	text := s.exportSpec()
	// The spec must read back, or the file would not load.
	parsed, err := spec.Parse("export.yaml", []byte(text))
	if err != nil {
		return nil, err
	}
	// The file carries the spec of what was trained so far, not the one
	// the session started from.
	m := s.net.model
	saved := m.Spec
	m.Spec = parsed
	defer func() { m.Spec = saved }()
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// exportData returns every point as the CSV the exported spec reads: the
// feature columns and the label or y, in the order that makes the spec's
// validation split the playground's test points. Callers hold mu.
func (s *session) exportData() []byte {
	p := s.prob
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append([]string(nil), s.cfg.Features...)
	if p.regression {
		header = append(header, "y")
	} else {
		header = append(header, "label")
	}
	_ = w.Write(header)
	x := expand(p.all.X.Data(), p.set.Dims, p.featureFns).Data()
	nf := len(s.cfg.Features)
	row := make([]string, nf+1)
	for i := range p.all.Len() {
		for j := range nf {
			row[j] = strconv.FormatFloat(float64(x[i*nf+j]), 'g', -1, 32)
		}
		if p.all.Labels != nil {
			l := p.all.Labels[i]
			row[nf] = strconv.Itoa(l)
			if p.classes != nil {
				row[nf] = p.classes[l]
			}
		} else {
			row[nf] = strconv.FormatFloat(float64(p.all.Y.Data()[i]), 'g', -1, 32)
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

func attachment(w http.ResponseWriter, name, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request, ss *session) {
	ss.mu.Lock()
	ss.touch()
	b, err := ss.exportModel()
	name := "bigfunc-" + ss.cfg.Data + ".safetensors"
	ss.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot export the model: "+err.Error())
		return
	}
	attachment(w, name, "application/octet-stream", b)
}

func (s *Server) handleSpec(w http.ResponseWriter, r *http.Request, ss *session) {
	ss.mu.Lock()
	ss.touch()
	text := ss.exportSpec()
	name := "bigfunc-" + ss.cfg.Data + ".yaml"
	ss.mu.Unlock()
	attachment(w, name, "text/yaml; charset=utf-8", []byte(text))
}

func (s *Server) handleData(w http.ResponseWriter, r *http.Request, ss *session) {
	ss.mu.Lock()
	ss.touch()
	b := ss.exportData()
	ss.mu.Unlock()
	attachment(w, "data.csv", "text/csv; charset=utf-8", b)
}
