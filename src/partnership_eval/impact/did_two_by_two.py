"""Two-group, two-period DiD estimators of the ATT with their influence functions.

Array translations of the estimators R ``did`` calls from the DRDID package
(Sant'Anna & Zhao 2020) for every group-time cell:

- panel data: ``reg_did_panel`` (outcome regression), ``std_ipw_did_panel``
  (normalised/Hajek inverse probability weighting) and ``drdid_panel`` (locally
  efficient doubly robust);
- repeated cross-sections: ``reg_did_rc``, ``std_ipw_did_rc`` and ``drdid_rc``.

Each takes the treated indicator ``d``, a design ``x`` whose first column is the
intercept and sampling weights, and returns ``(att, influence)`` with the influence
function scaled so that ``att - ATT ≈ mean(influence)``, and the trimmed count below. The panel estimators take the
outcome changes of several cells at once, ``dy`` of shape (units, cells), when the
cells share their units, design and weights (one propensity score and one regression
design serve them all); they return one ATT and one influence column per cell.
Propensity scores come from a weighted logit (stopped where it separates the groups,
as R's ``glm`` does with a warning), outcome models from weighted least squares on
the comparison group. As DRDID: scores are capped at 1 − 1e-6 and comparison units
with a score of 0.995 or more are trimmed (given weight 0); every estimator returns
``(att, influence, trimmed)``, ``trimmed`` the number of comparison units trimmed. A singular design raises :class:`CellError`;
so does a comparison group left with no weight after trimming.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

PS_CAP = 1 - 1e-6
TRIM_LEVEL = 0.995
_EPS = np.finfo(float).eps


TwoByTwo = tuple[np.ndarray | float, np.ndarray, int]
"""What every 2×2 estimator returns: ATT(s), influence function(s), comparison units trimmed."""


def _trimmed(keep: np.ndarray) -> int:
    return int(np.sum(~keep))


class CellError(ValueError):
    """A 2×2 comparison cannot be estimated (the caller names the cohort and time)."""


def _solve(a: np.ndarray, b: np.ndarray, what: str) -> np.ndarray:
    if 1.0 / np.linalg.cond(a, 1) < _EPS:
        raise CellError(what)
    return np.linalg.solve(a, b)


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray, what: str) -> np.ndarray:
    xw = x * w[:, None]
    return _solve(xw.T @ x, xw.T @ y, what)


def _logit(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fitted probabilities of a weighted logit of ``d`` on ``x`` (Newton–Raphson)."""
    share = np.average(d, weights=w)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(share / (1 - share))
    for iteration in range(50):
        p = expit(x @ beta)
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x
        if 1.0 / np.linalg.cond(hessian, 1) < _EPS:
            if iteration == 0:
                raise CellError(
                    "the propensity score model is singular (covariates collinear or "
                    "constant among the units compared)"
                )
            break  # fitted probabilities reached 0 or 1: perfect separation
        step = np.linalg.solve(hessian, x.T @ (w * (d - p)))
        beta += step
        if np.max(np.abs(step)) < 1e-11 * (1 + np.max(np.abs(beta))):
            break
    return expit(x @ beta)


def _ols_linear_rep(x: np.ndarray, resid: np.ndarray, w: np.ndarray, what: str) -> np.ndarray:
    """Per-observation linear representation of a weighted OLS coefficient vector."""
    n = len(resid)
    xw = x * w[:, None]
    return _solve((xw.T @ x / n).T, (xw * resid[:, None]).T, what).T


def _logit_linear_rep(x: np.ndarray, d: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = len(d)
    hessian = (x * (w * p * (1 - p))[:, None]).T @ x
    score = x * (w * (d - p))[:, None]
    return _solve(hessian, score.T, "the propensity score model is singular").T * n


def _propensity(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.minimum(_logit(x, d, w), PS_CAP)
    keep = np.where(d == 1, True, p < TRIM_LEVEL)
    if not np.any(keep & (d == 0) & (w * p / (1 - p) > 0)):
        raise CellError(
            "no overlap: every comparison unit has a propensity score of "
            f"{TRIM_LEVEL} or more (or weight 0), so the treated units have no comparable controls"
        )
    return p, keep


_OR_SINGULAR = (
    "the outcome regression on the comparison units is singular (too few "
    "comparison units or collinear covariates)"
)


def _ols_times(x: np.ndarray, w_ols: np.ndarray, resid: np.ndarray, m: np.ndarray) -> np.ndarray:
    """OLS coefficients' linear representation times the derivative vector ``m``: (n, cells)."""
    xw = x * w_ols[:, None]
    direction = _solve(xw.T @ x / len(x), m, _OR_SINGULAR)
    return (w_ols * (x @ direction))[:, None] * resid


def _control_fit(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    ctrl = d == 0
    return x @ _wls(x[ctrl], dy[ctrl], w[ctrl], _OR_SINGULAR)


def reg_panel(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Outcome-regression DiD with panel data (``reg_did_panel``)."""
    w = w / w.mean()
    fitted = _control_fit(dy, d, x, w)
    w_treat = w * d
    eta_treat = w_treat @ dy / w_treat.sum()
    eta_cont = w_treat @ fitted / w_treat.sum()
    inf_treat = w_treat[:, None] * (dy - eta_treat)
    inf_cont = w_treat[:, None] * (fitted - eta_cont) + _ols_times(
        x, w * (1 - d), dy - fitted, np.mean(w_treat[:, None] * x, 0)
    )
    return eta_treat - eta_cont, (inf_treat - inf_cont) / np.mean(w_treat), 0


def ipw_panel(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Normalised inverse-probability-weighted DiD with panel data (``std_ipw_did_panel``)."""
    w = w / w.mean()
    p, keep = _propensity(x, d, w)
    w_treat = keep * w * d
    w_cont = keep * w * p * (1 - d) / (1 - p)
    eta_treat = w_treat @ dy / w_treat.sum()
    eta_cont = w_cont @ dy / w_cont.sum()
    inf_treat = w_treat[:, None] * (dy - eta_treat) / np.mean(w_treat)
    centred = w_cont[:, None] * (dy - eta_cont)
    inf_cont = centred + _logit_linear_rep(x, d, p, w) @ (x.T @ centred / len(d))
    return eta_treat - eta_cont, inf_treat - inf_cont / np.mean(w_cont), _trimmed(keep)


def dr_panel(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Locally efficient doubly robust DiD with panel data (``drdid_panel``)."""
    w = w / w.mean()
    p, keep = _propensity(x, d, w)
    resid = dy - _control_fit(dy, d, x, w)
    w_treat = keep * w * d
    w_cont = keep * w * p * (1 - d) / (1 - p)
    eta_treat = w_treat @ resid / w_treat.sum()
    eta_cont = w_cont @ resid / w_cont.sum()
    w_ols = w * (1 - d)
    inf_treat = w_treat[:, None] * (resid - eta_treat) - _ols_times(
        x, w_ols, resid, np.mean(w_treat[:, None] * x, 0)
    )
    centred = w_cont[:, None] * (resid - eta_cont)
    inf_cont = (
        centred
        + _logit_linear_rep(x, d, p, w) @ (x.T @ centred / len(d))
        - _ols_times(x, w_ols, resid, np.mean(w_cont[:, None] * x, 0))
    )
    return (
        eta_treat - eta_cont,
        inf_treat / np.mean(w_treat) - inf_cont / np.mean(w_cont),
        _trimmed(keep),
    )


def _centred(weight: np.ndarray, value: np.ndarray) -> tuple[float, np.ndarray]:
    """Hajek mean of ``value`` under ``weight`` and its influence function."""
    mean_w = np.mean(weight)
    eta = weight * value / mean_w
    est = float(np.mean(eta))
    return est, eta - weight * est / mean_w


def reg_rc(
    y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> TwoByTwo:
    """Outcome-regression DiD with repeated cross-sections (``reg_did_rc``)."""
    w = w / w.mean()
    pre_c, post_c = (d == 0) & (post == 0), (d == 0) & (post == 1)
    fit_pre = x @ _wls(x[pre_c], y[pre_c], w[pre_c], _OR_SINGULAR)
    fit_post = x @ _wls(x[post_c], y[post_c], w[post_c], _OR_SINGULAR)
    att_tpre, inf_tpre = _centred(w * d * (1 - post), y)
    att_tpost, inf_tpost = _centred(w * d * post, y)
    w_cont = w * d
    att_cont, inf_cont1 = _centred(w_cont, fit_post - fit_pre)
    lin_pre = _ols_linear_rep(x, y - fit_pre, w * (1 - d) * (1 - post), _OR_SINGULAR)
    lin_post = _ols_linear_rep(x, y - fit_post, w * (1 - d) * post, _OR_SINGULAR)
    m1 = np.mean(w_cont[:, None] * x, 0) / np.mean(w_cont)
    inf_cont = inf_cont1 + (lin_post - lin_pre) @ m1
    return (att_tpost - att_tpre) - att_cont, (inf_tpost - inf_tpre) - inf_cont, 0


def ipw_rc(
    y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> TwoByTwo:
    """Normalised IPW DiD with repeated cross-sections (``std_ipw_did_rc``)."""
    w = w / w.mean()
    p, keep = _propensity(x, d, w)
    odds = keep * w * p * (1 - d) / (1 - p)
    att_tpre, inf_tpre = _centred(keep * w * d * (1 - post), y)
    att_tpost, inf_tpost = _centred(keep * w * d * post, y)
    w_cpre, w_cpost = odds * (1 - post), odds * post
    att_cpre, inf_cpre = _centred(w_cpre, y)
    att_cpost, inf_cpost = _centred(w_cpost, y)
    m2_pre = np.mean((w_cpre * (y - att_cpre))[:, None] * x, 0) / np.mean(w_cpre)
    m2_post = np.mean((w_cpost * (y - att_cpost))[:, None] * x, 0) / np.mean(w_cpost)
    inf_cont = inf_cpost - inf_cpre + _logit_linear_rep(x, d, p, w) @ (m2_post - m2_pre)
    att = (att_tpost - att_tpre) - (att_cpost - att_cpre)
    return att, (inf_tpost - inf_tpre) - inf_cont, _trimmed(keep)


def dr_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Locally efficient doubly robust DiD with repeated cross-sections (``drdid_rc``)."""
    w = w / w.mean()
    p, keep = _propensity(x, d, w)
    masks = {
        (0, 0): (d == 0) & (post == 0),
        (0, 1): (d == 0) & (post == 1),
        (1, 0): (d == 1) & (post == 0),
        (1, 1): (d == 1) & (post == 1),
    }
    fits = {k: x @ _wls(x[m], y[m], w[m], _OR_SINGULAR) for k, m in masks.items()}
    fit_c = post * fits[(0, 1)] + (1 - post) * fits[(0, 0)]
    resid_c = y - fit_c

    w_tpre, w_tpost = keep * w * d * (1 - post), keep * w * d * post
    odds = keep * w * p * (1 - d) / (1 - p)
    w_cpre, w_cpost = odds * (1 - post), odds * post
    w_d = keep * w * d
    att_tpre, inf_tpre = _centred(w_tpre, resid_c)
    att_tpost, inf_tpost = _centred(w_tpost, resid_c)
    att_cpre, inf_cpre = _centred(w_cpre, resid_c)
    att_cpost, inf_cpost = _centred(w_cpost, resid_c)
    gap_post = fits[(1, 1)] - fits[(0, 1)]
    gap_pre = fits[(1, 0)] - fits[(0, 0)]
    att_dpost, inf_dpost = _centred(w_d, gap_post)
    att_dt1, inf_dt1 = _centred(w_tpost, gap_post)
    att_dpre, inf_dpre = _centred(w_d, gap_pre)
    att_dt0, inf_dt0 = _centred(w_tpre, gap_pre)

    lin = {k: _ols_linear_rep(x, y - fits[k], w * m, _OR_SINGULAR) for k, m in masks.items()}
    lin_ps = _logit_linear_rep(x, d, p, w)

    def colmean(a: np.ndarray) -> np.ndarray:
        return np.mean(a[:, None] * x, 0)

    inf_treat_or = lin[(0, 1)] @ (-colmean(w_tpost * post) / np.mean(w_tpost)) + lin[(0, 0)] @ (
        -colmean(w_tpre * (1 - post)) / np.mean(w_tpre)
    )
    m2_pre = colmean(w_cpre * (resid_c - att_cpre)) / np.mean(w_cpre)
    m2_post = colmean(w_cpost * (resid_c - att_cpost)) / np.mean(w_cpost)
    inf_cont_or = lin[(0, 1)] @ (-colmean(w_cpost * post) / np.mean(w_cpost)) + lin[(0, 0)] @ (
        -colmean(w_cpre * (1 - post)) / np.mean(w_cpre)
    )
    inf_treat = inf_tpost - inf_tpre + inf_treat_or
    inf_cont = inf_cpost - inf_cpre + lin_ps @ (m2_post - m2_pre) + inf_cont_or
    inf_eff = (inf_dpost - inf_dt1) - (inf_dpre - inf_dt0)
    mom_post = colmean(w_d / np.mean(w_d) - w_tpost / np.mean(w_tpost))
    mom_pre = colmean(w_d / np.mean(w_d) - w_tpre / np.mean(w_tpre))
    inf_or = (lin[(1, 1)] - lin[(0, 1)]) @ mom_post - (lin[(1, 0)] - lin[(0, 0)]) @ mom_pre
    att = (
        (att_tpost - att_tpre)
        - (att_cpost - att_cpre)
        + (att_dpost - att_dt1)
        - (att_dpre - att_dt0)
    )
    return att, inf_treat - inf_cont + inf_eff + inf_or, _trimmed(keep)


PANEL_ESTIMATORS = {"reg": reg_panel, "ipw": ipw_panel, "dr": dr_panel}
CROSS_SECTION_ESTIMATORS = {"reg": reg_rc, "ipw": ipw_rc, "dr": dr_rc}
