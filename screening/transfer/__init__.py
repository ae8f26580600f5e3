"""Screening histories in and out: Rayyan, Covidence, ASReview and Sift's own decisions CSV."""
