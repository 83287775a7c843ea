"""check.py runs the ONNX checker, with full_check (shape inference), on
each file named on the command line, and fails on the first that does not
pass. Files with a newer opset or IR version than the installed onnx
package knows are counted and skipped."""
import sys

import onnx
import onnx.checker
import onnx.defs

checked = skipped = 0
for path in sys.argv[1:]:
    m = onnx.load(path)
    opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    if opset > onnx.defs.onnx_opset_version() or m.ir_version > onnx.IR_VERSION:
        skipped += 1
        continue
    try:
        onnx.checker.check_model(m, full_check=True)
    except Exception as e:
        sys.exit("%s: %s" % (path, str(e).splitlines()[0] if str(e) else repr(e)))
    checked += 1
print("onnx %s: %d files passed check_model(full_check=True), %d too new for it" % (onnx.__version__, checked, skipped))
