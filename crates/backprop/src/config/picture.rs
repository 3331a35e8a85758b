//! The rules of a network with picture layers ([`ModelSpec::layers`]): the
//! training settings they do not train with and the training sets that hold
//! no pictures, each refused before any data is read and naming both
//! settings; the picture shape n_H × n_W × n_C read from the data once loaded.

use std::path::Path;

use crate::data::Preprocessing;
use crate::error::Error;
use crate::layers::{Picture, PictureLayer};
use crate::optim::OptimizerConfig;
use crate::setting::{Problem, Setting};

use super::{DataKind, ModelSpec};

impl ModelSpec {
    /// Refuses what picture layers do not train with (yet): L-BFGS, an L1
    /// term, early stopping (its kept best weights hold dense layers only).
    pub(super) fn validate_layers(&self) -> Result<(), Error> {
        if self.layers.is_empty() {
            return Ok(());
        }
        let gd = &self.gd;
        let layers = Setting::Layers;
        let refuse = |setting: Setting, what: String| {
            let message = format!(
                "{what} does not train picture layers ({layers}); {setting} or {layers} must go"
            );
            Err(Problem::other(setting, message).into())
        };
        if matches!(gd.optimizer, OptimizerConfig::Lbfgs(_)) {
            return refuse(Setting::Optimizer, format!("{} lbfgs", Setting::Optimizer));
        }
        if gd.l1 != 0.0 {
            return refuse(
                Setting::L1,
                format!("an L1 term ({} {})", Setting::L1, gd.l1),
            );
        }
        if let Some(p) = gd.early_stopping {
            return refuse(
                Setting::EarlyStopping,
                format!("early stopping ({} {p})", Setting::EarlyStopping),
            );
        }
        Ok(())
    }
}

/// Refuses picture layers over a training set that holds no pictures: a
/// CSV table's rows have no height, width or channels.
pub(super) fn pictures_needed(spec: &ModelSpec, train: &Path) -> Result<(), Error> {
    if spec.layers.is_empty() || DataKind::of(train) != DataKind::Csv {
        return Ok(());
    }
    Err(Problem::other(
        Setting::Layers,
        format!(
            "{} needs pictures (a folder of pictures, the course's HDF5 files, an npz of \
             m × height × width × channels arrays or MNIST's idx files), and {} is a CSV table, \
             whose rows have no height, width or channels; use {} for a table",
            Setting::Layers,
            train.display(),
            Setting::Hidden
        ),
    )
    .into())
}

/// The picture `layers` read from data made as `pre` says, checked: the
/// data holds pictures, and every window of the list fits them.
pub(crate) fn picture_for(pre: &Preprocessing, layers: &[PictureLayer]) -> Result<Picture, Error> {
    let list = Setting::Layers;
    let picture = pre.picture().ok_or_else(|| {
        Error::from(Problem::other(
            list,
            format!(
                "{list} needs pictures, and this data's examples are {} features of shape {:?} \
                 (not height × width × channels); use {} for it",
                pre.example_shape.iter().product::<usize>(),
                pre.example_shape,
                Setting::Hidden
            ),
        ))
    })?;
    crate::layers::spec::shapes(picture, layers).map_err(|e| {
        Error::from(Problem::other(
            list,
            format!("{list} over pictures of {picture}: {e}"),
        ))
    })?;
    Ok(picture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{GdConfig, TrainConfig};
    use crate::LayerList;

    fn with_layers(gd: GdConfig) -> ModelSpec {
        let list: LayerList = "conv4x3x3,relu,maxpool2".parse().unwrap();
        ModelSpec {
            layers: list.picture,
            gd,
            ..ModelSpec::default()
        }
    }

    #[test]
    fn settings_picture_layers_do_not_train_with_are_refused_naming_both() {
        let lbfgs = GdConfig {
            optimizer: OptimizerConfig::Lbfgs(Default::default()),
            ..GdConfig::default()
        };
        let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
        let e = with_layers(lbfgs).validate().unwrap_err();
        let said = "--optimizer lbfgs does not train picture layers (--layers); --optimizer or --layers must go";
        assert_eq!(
            (e.setting(), e.render(&flag)),
            (Some(Setting::Optimizer), said.into())
        );
        let l1 = GdConfig {
            l1: 0.5,
            ..GdConfig::default()
        };
        let e = with_layers(l1).validate().unwrap_err();
        assert!(e.render(&flag).starts_with("an L1 term (--l1 0.5)"), "{e}");
        let early = GdConfig {
            early_stopping: Some(3),
            ..GdConfig::default()
        };
        let e = with_layers(early).validate().unwrap_err();
        assert_eq!(e.setting(), Some(Setting::EarlyStopping));
        assert!(with_layers(GdConfig::default()).validate().is_ok());
    }

    #[test]
    fn a_table_is_refused_before_it_is_read() {
        let mut job = TrainConfig::new("no-such-table.csv", "out");
        job.model = with_layers(GdConfig::default());
        let e = job.validate().unwrap_err();
        assert_eq!(e.setting(), Some(Setting::Layers));
        assert!(e.to_string().contains("layers needs pictures"), "{e}");
        job.train = "no-such-file.h5".into();
        assert!(job.validate().is_ok());
    }

    #[test]
    fn the_picture_comes_from_the_example_shape() {
        let layers = with_layers(GdConfig::default()).layers;
        let pre = |shape: Vec<usize>| Preprocessing {
            example_shape: shape,
            ..Default::default()
        };
        let p = picture_for(&pre(vec![64, 48, 3]), &layers).unwrap();
        assert_eq!((p.height, p.width, p.channels), (64, 48, 3));
        assert_eq!(
            picture_for(&pre(vec![28, 28]), &layers).unwrap().channels,
            1
        );
        let table = picture_for(&pre(vec![12]), &layers).unwrap_err();
        assert!(
            table.to_string().contains("12 features of shape [12]"),
            "{table}"
        );
        let small = picture_for(&pre(vec![2, 2, 3]), &layers).unwrap_err();
        assert_eq!(small.setting(), Some(Setting::Layers));
        assert!(
            small
                .to_string()
                .starts_with("layers over pictures of 2×2×3: picture layer 1"),
            "{small}"
        );
    }
}
