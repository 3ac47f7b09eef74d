"""`manage.py train_classifier`: train a genre model on the labelled songs in the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audio.errors import InvalidAudioError
from classifier.architectures import Architecture
from classifier.nets.weights_file import MissingWeightsError
from classifier.services import model_version_train
from classifier.trainer import TrainingOptions
from classifier.training import TrainingDataError


class Command(BaseCommand):
    help = (
        "Train a genre classifier on every labelled song; its reported quality comes from k-fold "
        "cross-validation grouped by artist. Demo songs are left out when real ones exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--arch", choices=Architecture.values, default=Architecture.MUSICNN)
        parser.add_argument(
            "--epochs", type=int, help="Maximum epochs (early stopping may end sooner)."
        )
        parser.add_argument("--batch-size", type=int, default=64)
        parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate.")
        parser.add_argument("--seed", type=int, default=0, help="Split, initialisation, shuffling.")
        parser.add_argument(
            "--fine-tune",
            action="store_true",
            help="Train the pretrained backbone too (large datasets only).",
        )
        parser.add_argument(
            "--folds", type=int, default=5, help="Cross-validation folds (grouped by artist)."
        )
        parser.add_argument(
            "--include-demo",
            action="store_true",
            help="Train on the synthetic demo songs too, even when real labelled songs exist.",
        )
        parser.add_argument(
            "--activate", action="store_true", help="Make the new model the active one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["epochs"] is not None and options["epochs"] < 1:
            raise CommandError("--epochs must be at least 1.")
        if options["batch_size"] < 1 or options["lr"] <= 0:
            raise CommandError("--batch-size must be at least 1 and --lr positive.")
        if options["folds"] < 2:
            raise CommandError("--folds must be at least 2.")
        training = TrainingOptions(
            architecture=Architecture(options["arch"]), epochs=options["epochs"],
            batch_size=options["batch_size"], learning_rate=options["lr"], seed=options["seed"],
            fine_tune=options["fine_tune"], folds=options["folds"],
            verbose=1 if options["verbosity"] >= 2 else 0,
        )  # fmt: skip
        try:
            version = model_version_train(
                options=training, activate=options["activate"],
                include_demo=options["include_demo"], log=self.stdout.write,
            )  # fmt: skip
        except (TrainingDataError, MissingWeightsError) as error:
            raise CommandError(str(error)) from None
        except InvalidAudioError as error:
            raise CommandError(f"A labelled song could not be analysed: {error.message}") from None
        self.stdout.write(self.style.SUCCESS(f"Saved model version {version.name}"))
        if version.is_active:
            self.stdout.write(self.style.SUCCESS(f"{version.name} is now the active model."))
        else:
            self.stdout.write(f"Activate it with: manage.py activate_model {version.name}")
