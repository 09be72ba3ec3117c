//! 主题 and 人生事件: how the portal's home page groups items the way people think of them
//! (生育, 入学, 就业, 开办企业, 退休 …), as the national and provincial portals do. Each event
//! names items by basic code; the home page shows those that are published, so an event never
//! links to an item that does not exist.

/// Who an event is for: 个人办事 or 法人办事.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Person,
    Company,
}

/// One life event (or a company's stage) and the items it needs, in the order they are done.
#[derive(Debug, Clone, Copy)]
pub struct LifeEvent {
    pub name: &'static str,
    pub audience: Audience,
    pub basic_codes: &'static [&'static str],
}

pub const LIFE_EVENTS: &[LifeEvent] = &[
    LifeEvent {
        name: "生育",
        audience: Audience::Person,
        basic_codes: &["GG00651001", "GG00210001"],
    },
    LifeEvent {
        name: "入学",
        audience: Audience::Person,
        basic_codes: &["GG00901001", "GG00902001", "GG00501001"],
    },
    LifeEvent {
        name: "就业",
        audience: Audience::Person,
        basic_codes: &[
            "GG00302001",
            "QR00301001",
            "JF00301001",
            "XK00502001",
            "GG00301001",
        ],
    },
    LifeEvent {
        name: "结婚",
        audience: Audience::Person,
        basic_codes: &["QR00401001", "GG00501001"],
    },
    LifeEvent {
        name: "买房",
        audience: Audience::Person,
        basic_codes: &["QR00701002", "ZS01001001", "GG00701001"],
    },
    LifeEvent {
        name: "买车",
        audience: Audience::Person,
        basic_codes: &["XK00501001", "ZS01002001"],
    },
    LifeEvent {
        name: "出行证件",
        audience: Audience::Person,
        basic_codes: &["QR00501002", "XK00503001"],
    },
    LifeEvent {
        name: "退休",
        audience: Audience::Person,
        basic_codes: &["JF00302001", "GG00301001", "JF00402001"],
    },
    LifeEvent {
        name: "生活困难",
        audience: Audience::Person,
        basic_codes: &["JF00401001", "QR00301001"],
    },
    LifeEvent {
        name: "开办企业",
        audience: Audience::Company,
        basic_codes: &["XK00101001", "XK00601001", "XK00652001", "XK01001001"],
    },
    LifeEvent {
        name: "工程建设",
        audience: Audience::Company,
        basic_codes: &[
            "XK00701001",
            "XK00702001",
            "XK00203001",
            "XK00201001",
            "BA00201001",
        ],
    },
    LifeEvent {
        name: "经营许可",
        audience: Audience::Company,
        basic_codes: &[
            "XK00601001",
            "XK00605002",
            "XK00801001",
            "XK00802001",
            "BA00801001",
        ],
    },
    LifeEvent {
        name: "企业纳税",
        audience: Audience::Company,
        basic_codes: &["XK01001001", "QT01001001", "ZS01001001"],
    },
    LifeEvent {
        name: "注销退出",
        audience: Audience::Company,
        basic_codes: &["XK00102003"],
    },
];
