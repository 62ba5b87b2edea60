"""Tandem's matching core: pure Python (numpy, scipy, OR-Tools, scikit-learn), no Django.

Plain data in (participant records or a score table), plain data out (pairs with scores and
reasons, the unmatched with why, and a quality report).
"""
