"""The numpy + scipy.fft peer of fractaxis's 2-D parabolic-elliptic spectral ETDRK4 step.

The same scheme, written independently from the equations (src/models/keller-segel/spectral.ts
and src/integrate/etd.ts describe it):
    d/dt rho^ = -D |k|^alpha rho^ + N(rho^),
    N = -dealias( sum_j i g_j FFT[ rho * chi * IFFT(i g_j S^) ] ),  S^ = rho^ / |k|^2 (S^(0) = 0),
ETDRK4 of Cox-Matthews in the Kassam-Trefethen form, phi-functions by Taylor series for |z| < 2.
Wavenumbers: k for |k|^alpha and |k|^2 (Nyquist +n/2), g for derivatives (Nyquist 0), 2/3 mask.

Usage: python3 ks_numpy.py rho0.npy out.npy steps dt alpha D chi repeats
Prints one JSON line: {"fft": "scipy"|"numpy", "perStep": seconds (the best single step), "steps": n}.
Single-threaded: scipy.fft runs with workers=1 (its default).
"""
import json
import sys
import time

import numpy as np

try:
    import scipy.fft as fft

    FFT = "scipy"
except ImportError:  # the test machine may lack scipy: numpy's pocketfft is the same algorithm family
    import numpy.fft as fft

    FFT = "numpy"


def phis(z):
    """[phi0, phi1, phi2, phi3](z) for an array of real z."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty((4,) + z.shape)
    small = np.abs(z) < 2
    zs = z[small]
    for k in range(4):
        s = np.zeros_like(zs)
        for j in range(30, -1, -1):
            s = (s * zs) / (j + k + 1) + 1
        out[k][small] = s / [1, 1, 2, 6][k]
    zb = z[~small]
    e = np.exp(zb)
    p1 = (e - 1) / zb
    p2 = (p1 - 1) / zb
    p3 = (p2 - 0.5) / zb
    out[0][~small], out[1][~small], out[2][~small], out[3][~small] = e, p1, p2, p3
    return out


def main():
    rho0_path, out_path, steps, dt, alpha, D, chi, repeats = sys.argv[1:9]
    steps, dt, alpha, D, chi, repeats = int(steps), float(dt), float(alpha), float(D), float(chi), int(repeats)
    rho0 = np.load(rho0_path)
    ny, nx = rho0.shape
    L = 2 * np.pi
    jx = np.arange(nx // 2 + 1)
    jy = np.where(np.arange(ny) <= ny // 2, np.arange(ny), np.arange(ny) - ny)
    kx = 2 * np.pi * jx / L
    ky = 2 * np.pi * jy / L
    gx = np.where(2 * jx == nx, 0.0, kx)
    gy = np.where(2 * np.arange(ny) == ny, 0.0, ky)
    k2 = ky[:, None] ** 2 + kx[None, :] ** 2
    kalpha = np.where(k2 == 0, 0.0, k2 ** (alpha / 2))
    inv_k2 = np.where(k2 == 0, 0.0, 1.0 / np.where(k2 == 0, 1.0, k2))
    mask = ((np.abs(jy) < ny / 3)[:, None] & (np.abs(jx) < nx / 3)[None, :]).astype(np.float64)
    igx = 1j * gx[None, :]
    igy = 1j * gy[:, None]
    Lin = -D * kalpha
    h = dt
    e, p1, p2, p3 = phis(h * Lin)
    half = phis(h * Lin / 2)
    E, E2, Q = e, half[0], (h / 2) * half[1]
    f1 = h * (p1 - 3 * p2 + 4 * p3)
    f2x2 = 2 * h * (p2 - 2 * p3)
    f3 = h * (4 * p3 - p2)

    def N(u):
        rho = fft.irfft2(u, s=(ny, nx))
        s_hat = u * inv_k2
        out = np.zeros_like(u)
        for ig in (igx, igy):
            grad = fft.irfft2(ig * s_hat, s=(ny, nx))
            out -= ig * fft.rfft2(chi * rho * grad)
        return out * mask

    def step(u):
        Nu = N(u)
        a = E2 * u + Q * Nu
        Na = N(a)
        b = E2 * u + Q * Na
        Nb = N(b)
        c = E2 * a + Q * (2 * Nb - Nu)
        Nc = N(c)
        return E * u + f1 * Nu + f2x2 * (Na + Nb) + f3 * Nc

    best = float("inf")  # the best single step, as the JavaScript side measures its own
    for _ in range(repeats):
        u = fft.rfft2(rho0)
        for _ in range(steps):
            t0 = time.perf_counter()
            u = step(u)
            best = min(best, time.perf_counter() - t0)
    np.save(out_path, fft.irfft2(u, s=(ny, nx)))
    print(json.dumps({"fft": FFT, "perStep": best, "steps": steps}))


if __name__ == "__main__":
    main()
