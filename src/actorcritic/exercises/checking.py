"""The checker mechanism: run a reader's function on named and random cases.

A checker never raises. It reports one of three outcomes and returns the
function the rest of the chapter should use:

- the reader's own skeleton raises ``NotImplementedError`` (the
  exercise's ``raise NotImplementedError`` line): "not implemented yet",
  and the reference implementation is returned;
- a case fails (any of the checks below, or any exception, reported with
  its type and message): the report names the case, its inputs, what was
  expected and what came back, and the reference is returned;
- every case passes: the reader's own function is returned.

Every case, named or randomly drawn, runs the same protocol:

1. the call leaves the kernel as it found it: autograd on or off, and the
   default dtype, are what they were (if not, the checker restores them
   and says so);
2. the inputs are unchanged (nothing written in place into the caller's
   tensors, or into views of them), and every input that carried a
   gradient still carries it, with the same history (no ``detach_()`` or
   ``requires_grad_(False)`` on the caller's tensor);
3. each output is a ``torch.Tensor`` of the reference's floating dtype
   (float32), on its device, of its shape;
4. an output the chapter differentiates (the reference's carries a
   gradient graph) carries one too;
5. its values match the reference's, computed in float64, within a
   tolerance that also allows float32's rounding of the terms the output
   accumulates (so no correct implementation, in either precision, is
   rejected), and are finite where those are;
6. for every input that requires grad, ``d output / d input`` matches
   the reference's, which catches a missing ``detach`` as surely as a
   wrong sign.
"""

from __future__ import annotations

import inspect
import linecache
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

Report = Callable[[str], None]
_GOES_ON = "   The chapter goes on with the reference implementation."
_STUB_LINE = re.compile(r"^\s*raise\s+NotImplementedError\b")
_NON_FINITE = (
    "your values are not all finite where the expected ones are: look for "
    "a log of 0 (log(softmax(x)) instead of log_softmax(x)), or an "
    "overflow on long inputs (gamma ** -t, exp of a large number)."
)


@dataclass(frozen=True)
class Case:
    """One test case.

    Attributes:
        name: what the case is about, shown to the reader on failure.
        inputs: builds fresh keyword arguments (new leaf tensors each call).
        hints: extra advice keyed by ``(output_name, input_name)`` for a
            gradient mismatch, or by ``"value"``, ``"shape"`` or
            ``"non-finite"`` (nan or inf where the reference is finite,
            whose default hint points at logs of 0 and overflows).
    """

    name: str
    inputs: Callable[[], dict[str, Any]]
    hints: dict[Any, str] = field(default_factory=dict)


def drawn(
    name: str,
    seed: int,
    build: Callable[[torch.Generator], dict[str, Any]],
    hints: dict[Any, str] | None = None,
) -> Case:
    """A random case: ``build(generator)`` draws the inputs from its own
    seeded generator (the global random state is not touched), so every
    call gives the same fresh tensors."""

    def inputs():
        return build(torch.Generator().manual_seed(seed))

    return Case(f"random: {name} (seed {seed})", inputs, hints or {})


@dataclass(frozen=True)
class Mistake:
    """A common wrong implementation of an exercise, recognised by what it
    returns.

    Attributes:
        says: what the mistake does, completing "this is what ... gives"
            ("summing the rewards before t as well").
        answer: the wrong implementation itself, called like the reader's.
        fix: how to put it right, shown after.
    """

    says: str
    answer: Callable
    fix: str = ""


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: Sequence[Case],
    title: str,
    output_names: Sequence[str] = ("output",),
    report: Report = print,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    reader_code: Iterable = (),
    on_pass: str = "The rest of the chapter uses your function.",
    precise: bool = True,
    magnitude: Callable[..., torch.Tensor] | None = None,
    mistakes: Sequence[Mistake] = (),
) -> Callable:
    """Check ``candidate`` against ``reference`` on ``cases``.

    Values and gradients are compared with the reference run in float64
    (``precise``), so that the reference's own rounding never decides:
    any correct implementation, in float32 or float64, in any order of
    operations, is within ``atol + rtol * |expected|``, plus, for the
    values of a function given a ``magnitude``, the rounding that float32
    allows. For a function that accumulates many terms,
    ``magnitude(**inputs)`` (the float64 inputs) gives, element by
    element, the sum of the absolute values of the terms accumulated
    into each output; float32 may then be off by :data:`ROUNDING` times
    float32's unit roundoff times that sum.

    ``mistakes`` is the exercise's catalogue of common wrong answers: when
    a case fails on values or gradients and the reader's outputs match
    what one of them returns on that case (values, and gradients where
    the case has inputs that require one), the report names it instead
    of giving the case's generic hint.

    The candidate is called as ``candidate(**inputs)``: its parameters must
    carry the names of the chapter's stub.

    ``reader_code`` lists the code objects written by the reader (the
    candidate's own by default), where a ``raise NotImplementedError``
    means "not implemented yet". ``on_pass`` says what the chapter does
    with a function that passes (it must be true of the chapter). Returns
    ``candidate`` if every case passes, else ``reference``.
    """
    codes = set(reader_code) or {getattr(candidate, "__code__", None)}
    for case in cases:
        got_inputs = case.inputs()
        renamed = _renamed_parameters(candidate, got_inputs, title)
        if renamed is not None:
            report(_failure(title, case, *renamed))
            return reference
        before = {
            k: v.detach().clone()
            for k, v in got_inputs.items()
            if torch.is_tensor(v)
        }
        graphs = {
            k: v.grad_fn
            for k, v in got_inputs.items()
            if torch.is_tensor(v) and v.requires_grad
        }
        try:
            with _kernel_state() as restored:
                raw = candidate(**got_inputs)
        except NotImplementedError as exc:
            if _is_stub(exc, codes):
                report(f"⏳ {title}: not implemented yet.\n{_GOES_ON}")
                return reference
            problem = (_raised(exc), None)
        except Exception as exc:  # a reader's bug must not stop the chapter
            problem = _raised_like(_raised(exc), case, mistakes)
        else:
            problem = (
                restored.problem
                or _changed_inputs(got_inputs, before)
                or _cut_inputs(got_inputs, graphs)
            )
            if problem is None:
                try:
                    problem = _compare(
                        case,
                        raw,
                        got_inputs,
                        reference,
                        output_names,
                        _Tolerance(atol, rtol, precise, magnitude),
                    )
                    if problem is not None:
                        problem = _recognised(
                            problem,
                            case,
                            raw,
                            got_inputs,
                            output_names,
                            mistakes,
                            _Tolerance(atol, rtol, False, None),
                            reference,
                        )
                except Exception as exc:
                    problem = (
                        f"returned {_fmt(raw)}, which cannot be compared "
                        f"with the expected output ({_raised(exc)})",
                        None,
                    )
        if problem is not None:
            report(_failure(title, case, *problem))
            return reference
    report(f"✅ {title}: all {len(cases)} cases pass.\n   {on_pass}")
    return candidate


def _renamed_parameters(
    candidate: Callable, inputs: dict[str, Any], name: str
) -> tuple[str, str] | None:
    """``(message, hint)`` if ``candidate(**inputs)`` cannot even be
    called (its parameters do not carry the stub's names), else None."""
    try:
        signature = inspect.signature(candidate)
    except (TypeError, ValueError):  # a builtin or an odd callable: try it
        return None
    try:
        signature.bind(**inputs)
    except TypeError as exc:
        call = ", ".join(f"{k}=..." for k in inputs)
        return (
            f"your function cannot be called as {name}({call}): {exc}",
            "the checker passes the arguments by name: keep the parameter "
            f"names of the exercise, {name}({', '.join(inputs)}); yours is "
            f"{name}({', '.join(signature.parameters)}).",
        )
    return None


def _renamed_forward(candidate_cls, reference_cls, title) -> str | None:
    """A report if the reader's ``forward`` does not take the reference's
    parameter names (the chapter may pass them by name)."""
    try:
        theirs = inspect.signature(candidate_cls.forward)
        names = list(inspect.signature(reference_cls.forward).parameters)
    except (TypeError, ValueError, AttributeError):
        return None
    try:
        theirs.bind(**{name: None for name in names})
    except TypeError as exc:
        lines = [
            f"❌ {title}: forward cannot be called as forward"
            f"({', '.join(f'{n}=...' for n in names)}): {exc}",
            "   hint: keep the parameter names of the exercise, forward("
            f"{', '.join(names)}); yours is forward"
            f"({', '.join(theirs.parameters)}).",
        ]
        wrapped = [
            textwrap.fill(line, width=72, subsequent_indent="     ")
            for line in lines
        ]
        return "\n".join([*wrapped, _GOES_ON])
    return None


def _raised(exc: BaseException) -> str:
    return f"raised {type(exc).__name__}: {exc}"


def _is_stub(exc: NotImplementedError, codes: set) -> bool:
    """True for the exercise's own ``raise NotImplementedError`` line in
    the reader's code, not for one raised by a library (PyTorch raises
    it for unsupported dtypes, ``|`` on floats for instance)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or tb.tb_frame.f_code not in codes:
        return False
    code = tb.tb_frame.f_code
    line = linecache.getline(code.co_filename, tb.tb_lineno)
    return bool(_STUB_LINE.match(line)) if line else not str(exc)


class _kernel_state:
    """Restore autograd's mode and the default dtype after the call, and
    describe what the call had changed."""

    def __enter__(self):
        self.grad = torch.is_grad_enabled()
        self.dtype = torch.get_default_dtype()
        self.problem = None
        return self

    def __exit__(self, *exc_info):
        changed = []
        if torch.is_grad_enabled() != self.grad:
            torch.set_grad_enabled(self.grad)
            changed.append(
                "switched autograd off for the whole kernel "
                "(torch.set_grad_enabled(False)), so that nothing after it "
                "would learn; the checker switched it back on"
                if self.grad
                else "switched autograd on for the whole kernel; the "
                "checker switched it back off"
            )
        if torch.get_default_dtype() != self.dtype:
            new = torch.get_default_dtype()
            torch.set_default_dtype(self.dtype)
            changed.append(
                f"changed the default dtype of the whole kernel to {new} "
                f"(torch.set_default_dtype); the checker set it back to "
                f"{self.dtype}"
            )
        if changed:
            self.problem = (
                "; it also ".join(changed) + ".",
                "settings that outlive the call change every later cell: to "
                "compute without gradients, use a `with torch.no_grad():` "
                "block; to compute in float64, convert the tensors "
                "(x.double()).",
            )
        return False


def _changed_inputs(inputs: dict, before: dict):
    for key, old in before.items():
        new = inputs[key].detach()
        same = new.shape == old.shape and torch.equal(new, old)
        if not same:
            return (
                f"changed its input {key} in place: it was {_fmt(old)} "
                f"and is now {_fmt(new)}",
                f"the chapter passes its own tensors, and would find "
                f"{key} corrupted. Compute into a new tensor "
                f"(torch.empty_like({key}), or {key} + ...) instead of "
                f"`{key} += ...` or writing into {key}[t] (a .detach() "
                f"view shares {key}'s memory too).",
            )
    return None


def _recognised(
    problem,
    case,
    raw,
    got_inputs,
    output_names,
    mistakes,
    tolerance,
    reference,
):
    """``problem`` with its hint replaced by the first catalogued mistake
    that fails this case itself and whose outputs (and gradients) on it
    are the reader's."""
    got = _as_tuple(raw, len(output_names))
    keys = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]

    def traces(outputs, inputs):
        """Each output, then its gradient with respect to each key."""
        return [
            t
            for out in outputs
            for t in (out, *(_grad(out, inputs[k]) for k in keys))
        ]

    right_inputs = case.inputs()
    right = traces(
        _as_tuple(reference(**right_inputs), len(output_names)), right_inputs
    )
    mine = traces(got, got_inputs)
    for mistake in mistakes:
        inputs = case.inputs()
        try:
            with _kernel_state():
                made = _as_tuple(mistake.answer(**inputs), len(output_names))
            theirs = traces(made, inputs)
            explains = not all(
                _same(t, r, tolerance)
                for t, r in zip(theirs, right, strict=True)
            )
            same = all(
                _same(m, t, tolerance)
                for m, t in zip(mine, theirs, strict=True)
            )
        except Exception:  # a catalogue entry that does not apply here
            continue
        if explains and same:
            return (problem[0], _naming(mistake))
    return problem


def _naming(mistake: Mistake) -> str:
    """The hint that names a recognised mistake, then its fix."""
    return f"this is what {mistake.says} gives. {mistake.fix}".strip()


def _raised_like(message: str, case, mistakes):
    """``(message, hint)``: the hint names the first catalogued mistake
    that raises the same way on this case."""
    for mistake in mistakes:
        try:
            with _kernel_state():
                mistake.answer(**case.inputs())
        except Exception as exc:
            if _raised(exc) == message:
                return (message, _naming(mistake))
    return (message, None)


def _same(got, made, tolerance) -> bool:
    """Both tensors of one shape, equal within ``tolerance``."""
    if not (torch.is_tensor(got) and torch.is_tensor(made)):
        return False
    if got.shape != made.shape:
        return False
    g, m = got.detach().double(), made.detach().double()
    return bool(_close(g, m, tolerance.bound(m, {})).all())


def _cut_inputs(inputs: dict, graphs: dict):
    """``(message, hint)`` if an input that carried a gradient before the
    call no longer does, or has another history: the call cut the
    caller's tensor off its graph in place."""
    for key, grad_fn in graphs.items():
        tensor = inputs[key]
        if tensor.requires_grad and tensor.grad_fn is grad_fn:
            continue
        now = (
            "carries none"
            if not tensor.requires_grad
            else "has another history"
        )
        return (
            f"cut its input {key} off the caller's graph in place: {key} "
            f"carried a gradient before the call and {now} after it",
            f"{key}.detach_(), {key}.requires_grad_(False) and in-place "
            f"operations change the caller's tensor, and the chapter would "
            f"then learn nothing through it. Use {key}.detach(), which "
            f"returns a new tensor and leaves {key} as it is.",
        )
    return None


def _contract(name: str, got, expected: torch.Tensor, case: Case):
    """``(message, hint)`` if ``got`` is not a tensor like ``expected``."""
    if got is None:
        return (
            f"{name}: expected a torch.Tensor, got None",
            "does the function end with a `return`?",
        )
    if not torch.is_tensor(got):
        kind = type(got).__module__.split(".")[0] + "." + type(got).__name__
        kind = kind.removeprefix("builtins.")
        return (
            f"{name}: expected a torch.Tensor, got a {kind} ({_fmt(got)})",
            "the chapter goes on with torch operations on it (and "
            ".backward() through a loss): compute with torch functions "
            "and return the tensor itself, without .item(), .tolist() or "
            ".numpy().",
        )
    if not got.is_floating_point():
        return (
            f"{name}: expected a floating-point tensor, got dtype {got.dtype}",
            "convert flags and counts before arithmetic (x.float()).",
        )
    if got.dtype != expected.dtype:
        return (
            f"{name}: expected dtype {expected.dtype}, like the inputs, got "
            f"{got.dtype}",
            "the chapter's tensors are float32: return float32 (compute in "
            "float64 if you like, then convert the result with .float()).",
        )
    if got.device != expected.device:
        return (
            f"{name}: expected a tensor on {expected.device}, like the "
            f"inputs, got one on {got.device}",
            None,
        )
    if got.shape != expected.shape:
        return (
            f"{name}: expected shape {tuple(expected.shape)}, got "
            f"shape {tuple(got.shape)}",
            case.hints.get("shape"),
        )
    if expected.requires_grad and not got.requires_grad:
        return (
            f"{name}: expected a tensor that carries a gradient (the "
            "chapter differentiates it), got one with none",
            "it was computed under torch.no_grad(), or through .item(), "
            ".detach() or NumPy: compute it with torch operations on the "
            "inputs as they are given.",
        )
    return None


ROUNDING = 64
"""How many float32 roundings of the accumulated terms' size a correct
implementation may be off by (a loop over T terms rounds T times; the
discount shrinks the old errors; 64 covers every correct style of
``tests/exercises``)."""
_FLOAT32_ROUNDOFF = torch.finfo(torch.float32).eps / 2


@dataclass(frozen=True)
class _Tolerance:
    atol: float
    rtol: float
    precise: bool
    magnitude: Callable[..., torch.Tensor] | None

    def inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The reference's inputs: float64 copies if precise."""
        if not self.precise:
            return inputs
        return {
            k: v.detach().double().requires_grad_(v.requires_grad)
            if torch.is_tensor(v) and v.is_floating_point()
            else v
            for k, v in inputs.items()
        }

    def bound(self, expected: torch.Tensor, inputs: dict) -> torch.Tensor:
        """Elementwise tolerance around ``expected``."""
        bound = self.atol + self.rtol * expected.abs()
        if self.magnitude is not None:
            with torch.no_grad():
                size = self.magnitude(**self.inputs(inputs)).abs()
            bound = bound + ROUNDING * _FLOAT32_ROUNDOFF * size
        return bound


def _close(got, expected, bound) -> torch.Tensor:
    """Elementwise: within ``bound``, or nan where both are nan."""
    return (
        ((got - expected).abs() <= bound)
        | (got == expected)  # infinities of one sign
        | (got.isnan() & expected.isnan())
    )


def _compare(case, raw, got_inputs, reference, output_names, tolerance):
    """Return ``(message, hint)`` for the first mismatch, or None."""
    got = _as_tuple(raw, len(output_names))
    expected = _as_tuple(reference(**case.inputs()), len(output_names))
    for name, g, e in zip(output_names, got, expected, strict=True):
        problem = _contract(name, g, e, case)
        if problem is not None:
            return problem
    ref_inputs = tolerance.inputs(case.inputs())
    exact = _as_tuple(reference(**ref_inputs), len(output_names))
    for name, g, e in zip(output_names, got, exact, strict=True):
        g_t, e_t = g.detach().to(e.dtype), e.detach()
        close = _close(g_t, e_t, tolerance.bound(e_t, case.inputs()))
        if not close.all():
            return (
                f"{name}: expected {_fmt(e_t.to(g.dtype))}, got {_fmt(g)}"
                + _first_difference(g_t, e_t, close),
                case.hints.get("non-finite", _NON_FINITE)
                if _non_finite_where_finite(g_t, e_t)
                else case.hints.get("value"),
            )
    grad_inputs = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]
    for name, g, e in zip(output_names, got, exact, strict=True):
        for key in grad_inputs:
            g_grad = _grad(g, got_inputs[key]).to(ref_inputs[key].dtype)
            e_grad = _grad(e, ref_inputs[key])
            close = _close(
                g_grad,
                e_grad,
                tolerance.atol + tolerance.rtol * e_grad.abs(),
            )
            if not close.all():
                shown = e_grad.to(g.dtype), g_grad.to(g.dtype)
                return (
                    f"gradient of {name} with respect to {key}: expected "
                    f"{_fmt(shown[0])}, got {_fmt(shown[1])}"
                    + _first_difference(g_grad, e_grad, close),
                    case.hints.get("non-finite", _NON_FINITE)
                    if _non_finite_where_finite(g_grad, e_grad)
                    else case.hints.get((name, key)),
                )
    return None


def _non_finite_where_finite(got: torch.Tensor, expected: torch.Tensor):
    return bool((~torch.isfinite(got) & torch.isfinite(expected)).any())


def _first_difference(got, expected, close) -> str:
    """Where the first element differs, for tensors too long to read."""
    if got.numel() <= _SHORT:
        return ""
    index = tuple(torch.nonzero(~close)[0].tolist())
    at = ", ".join(map(str, index))
    return (
        f"; first difference at [{at}]: expected "
        f"{expected[index].item():.6g}, got {got[index].item():.6g}"
    )


def _grad(output, leaf: torch.Tensor) -> torch.Tensor:
    if not torch.is_tensor(output) or not output.requires_grad:
        return torch.zeros_like(leaf)
    (grad,) = torch.autograd.grad(
        output.sum(), leaf, retain_graph=True, allow_unused=True
    )
    return torch.zeros_like(leaf) if grad is None else grad


def _as_tuple(value, n: int) -> tuple:
    if n == 1:
        return (value,)
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise TypeError(
            f"expected a tuple of {n} outputs, got {type(value).__name__}"
        )
    return tuple(value)


_SHORT = 12  # tensors with more elements are shown in part


def _fmt(value) -> str:
    """A tensor as the reader wrote it (nested, so its shape shows), or in
    part, with its shape, when it has more than a dozen elements."""
    if not torch.is_tensor(value):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    value = value.detach()
    if value.dim() == 0:
        return f"{value.item():.4g}"
    if value.numel() <= _SHORT:
        return _nested(value.tolist())
    flat = value.flatten().tolist()
    head = ", ".join(f"{v:.4g}" for v in flat[:3])
    tail = ", ".join(f"{v:.4g}" for v in flat[-2:])
    shape = " x ".join(map(str, value.shape))
    return f"({shape} values) [{head}, ..., {tail}]"


def _nested(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return f"{values:.4g}"


def _failure(title: str, case: Case, message: str, hint: str | None) -> str:
    inputs = ", ".join(f"{k}={_fmt(v)}" for k, v in case.inputs().items())
    lines = [
        f"❌ {title}: case '{case.name}' fails.",
        f"   inputs: {inputs}",
        f"   {message}",
    ]
    if hint:
        lines.append(f"   hint: {hint}")
    wrapped = [
        textwrap.fill(
            line,
            width=72,
            subsequent_indent="     ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for line in lines
    ]
    return "\n".join([*wrapped, _GOES_ON])


def floats(*values: float, grad: bool = False) -> torch.Tensor:
    """A float32 tensor: a scalar for one value, else ``(T,)``."""
    data = values[0] if len(values) == 1 else list(values)
    return torch.tensor(data, dtype=torch.float32, requires_grad=grad)


def check_class(
    candidate_cls,
    reference_cls,
    run,
    cases,
    title,
    names,
    report,
    mistakes: Sequence[Mistake] = (),
):
    """Check a reader's network class through ``run(cls, **inputs)``;
    return the class the chapter should use. A mistake's ``answer`` is a
    wrong class, run the same way."""

    renamed = _renamed_forward(candidate_cls, reference_cls, title)
    if renamed is not None:
        report(renamed)
        return reference_cls

    def candidate(**inputs):
        return run(candidate_cls, **inputs)

    def reference(**inputs):
        return run(reference_cls, **inputs)

    reader_code = [
        member.__code__
        for member in vars(candidate_cls).values()
        if hasattr(member, "__code__")
    ]
    chosen = check_function(
        candidate,
        reference,
        cases,
        title,
        output_names=names,
        report=report,
        reader_code=reader_code,
        precise=False,  # the networks' weights are float32
        mistakes=[
            Mistake(
                m.says,
                lambda cls=m.answer, **inputs: run(cls, **inputs),
                m.fix,
            )
            for m in mistakes
        ],
    )
    return candidate_cls if chosen is candidate else reference_cls
