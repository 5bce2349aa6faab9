// Floating point basics: float/double arithmetic, conversions, rounding, comparisons, NaN/Inf, libm.
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <float.h>

static volatile double vd[] = {0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e-310, 1e300, 2.5, -2.5, 0.1};
static volatile float vf[] = {0.0f, 1.0f, -7.25f, 3.4e38f, 1e-40f, 0.3f};

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

int main(void) {
    int n = sizeof vd / sizeof vd[0];
    for (int i = 0; i < n; i++) {
        double a = vd[i], b = vd[(i + 3) % n];
        printf("%g %g: + %016llx - %016llx * %016llx / %016llx lt=%d eq=%d\n", a, b, (unsigned long long)bits(a + b),
               (unsigned long long)bits(a - b), (unsigned long long)bits(a * b), (unsigned long long)bits(b != 0 ? a / b : 0),
               a < b, a == b);
    }
    for (int i = 0; i < 6; i++) {
        float f = vf[i];
        double d = f;
        printf("float %g -> double %.17g -> int %d, %a\n", f, d, (f < 2e9f && f > -2e9f) ? (int)f : -1, f * 3.0f);
    }
    double vals[] = {2.5, 3.5, -2.5, -0.5, 0.49999999999999994, 1e15 + 0.5, -7.7};
    for (int i = 0; i < 7; i++) {
        double x = vals[i];
        printf("round %.17g: rint=%g round=%g floor=%g ceil=%g trunc=%g lround=%ld (long)=%ld (unsigned)=%u\n", x, rint(x),
               round(x), floor(x), ceil(x), trunc(x), lround(x), (long)x, (x >= 0 && x < 4294967296.0) ? (unsigned)x : 0u);
    }
    printf("sqrt2=%.17g fma=%.17g fabs=%g copysign=%g fmin=%g fmax=%g\n", sqrt(2.0), fma(vd[4], vd[9], vd[2]), fabs(vd[3]),
           copysign(3.0, vd[1]), fmin(vd[3], vd[2]), fmax(vd[3], vd[2]));
    printf("exp=%.15g log=%.15g sin=%.15g cos=%.15g atan2=%.15g pow=%.15g\n", exp(1.0), log(10.0), sin(0.5), cos(0.5),
           atan2(1.0, -1.0), pow(2.0, 0.5));
    volatile double zero = 0.0;
    double inf = 1.0 / zero, nan = zero / zero;
    printf("inf=%f -inf=%f nan-is-nan=%d isinf=%d nan==nan=%d inf>max=%d\n", inf, -inf, isnan(nan), isinf(inf), nan == nan, inf > DBL_MAX);
    printf("int->fp %f %f %f\n", (double)INT64_MIN, (double)UINT64_MAX, (double)(int32_t)-123456);
    /* Out-of-range conversions are undefined in C, so use the instructions directly (they saturate). */
    long sat[6];
    double big = vd[6], neg = -vd[6], nanv = nan;
    __asm__("fcvtzs %0, %d1" : "=r"(sat[0]) : "w"(big));
    __asm__("fcvtzs %0, %d1" : "=r"(sat[1]) : "w"(neg));
    __asm__("fcvtzu %0, %d1" : "=r"(sat[2]) : "w"(neg));
    __asm__("fcvtzs %0, %d1" : "=r"(sat[3]) : "w"(nanv));
    __asm__("fcvtzs %w0, %d1" : "=r"(sat[4]) : "w"(big));
    __asm__("fcvtzu %0, %d1" : "=r"(sat[5]) : "w"(vd[4]));
    printf("fp->int saturating %ld %ld %ld %ld %ld %ld\n", sat[0], sat[1], sat[2], sat[3], sat[4] & 0xffffffffL, sat[5]);
    double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0 / ((double)i * i);
    float facc = 0;
    for (int i = 1; i <= 1000; i++) facc += 1.0f / (float)i;
    printf("basel=%.17g harmonic-f=%.9g\n", acc, facc);
    return 0;
}
