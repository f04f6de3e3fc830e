"""好差评: the applicant's rating of a completed case, on the national five-level scale."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LEVELS = [
    (5, _("非常满意")),
    (4, _("满意")),
    (3, _("基本满意")),
    (2, _("不满意")),
    (1, _("非常不满意")),
]
# The bulletin counts good / neutral / bad (Case.satisfaction): 5–4 good, 3 neutral, 2–1 bad.
SATISFACTION_OF_LEVEL = {5: "good", 4: "good", 3: "neutral", 2: "bad", 1: "bad"}
BAD_LEVELS = (1, 2)


class CaseRating(models.Model):
    case = models.OneToOneField(
        "disclosures.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="rating"
    )
    item = models.ForeignKey(
        "guides.GuidePage", verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("评价"), choices=LEVELS)
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    follow_up = models.ForeignKey(
        "disclosures.Feedback",
        verbose_name=_("差评回访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        indexes = [models.Index(fields=["item", "level"], name="rating_item_level")]

    def __str__(self):
        return f"{self.case_id} {self.get_level_display()}"
